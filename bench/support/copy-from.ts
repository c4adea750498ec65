// `COPY ... FROM STDIN` on a node-postgres client, as a "submittable" (the hook node-postgres
// offers for protocols beyond plain queries): the COPY statement is sent, and once the server
// answers CopyInResponse our chunks go out as CopyData, with the socket's back-pressure
// respected, then CopyDone. This is what the pg-copy-streams package does; the few dozen lines
// we need are written here rather than adding a dependency for them.

import type pg from 'pg';

/** The parts of node-postgres's Connection that COPY uses. */
interface CopyConnection {
  query(text: string): void;
  sendCopyFromChunk(chunk: Buffer): void;
  endCopyFrom(): void;
  sendCopyFail(message: string): void;
  readonly stream: NodeJS.WritableStream & { readonly writableNeedDrain?: boolean };
}

class CopyFromSubmittable {
  private rows = 0;
  private failure: Error | undefined;
  readonly done: Promise<number>;
  private settle!: { resolve: (rows: number) => void; reject: (err: Error) => void };

  constructor(
    private readonly text: string,
    private readonly chunks: AsyncIterable<string> | Iterable<string>,
  ) {
    this.done = new Promise((resolve, reject) => (this.settle = { resolve, reject }));
  }

  submit(connection: CopyConnection): void {
    connection.query(this.text);
  }

  handleCopyInResponse(connection: CopyConnection): void {
    void this.send(connection);
  }

  private async send(connection: CopyConnection): Promise<void> {
    try {
      for await (const chunk of this.chunks) {
        if (chunk.length === 0) continue;
        connection.sendCopyFromChunk(Buffer.from(chunk, 'utf8'));
        if (connection.stream.writableNeedDrain === true) await new Promise((resolve) => connection.stream.once('drain', resolve));
      }
      connection.endCopyFrom();
    } catch (err) {
      // The server then answers with an error, which ends the COPY (and fails its transaction).
      this.failure = err as Error;
      connection.sendCopyFail(`the rows to copy could not be read: ${(err as Error).message}`);
    }
  }

  handleCommandComplete(message: { text?: string }): void {
    this.rows = Number(/\d+$/.exec(message.text ?? '')?.[0] ?? 0);
  }

  // node-postgres lets go of a query once it fails (ReadyForQuery then goes to no one), so a
  // failed COPY (rows that could not be read, a cancelled statement) settles here.
  handleError(err: Error): void {
    this.settle.reject(this.failure ?? err);
  }

  handleReadyForQuery(): void {
    if (this.failure !== undefined) this.settle.reject(this.failure);
    else this.settle.resolve(this.rows);
  }

  // Messages a COPY FROM never gets.
  handleRowDescription(): void {}
  handleDataRow(): void {}
  handleEmptyQuery(): void {}
  handlePortalSuspended(): void {}
  handleCopyData(): void {}
}

/** COPY `text` (a `COPY ... FROM STDIN` statement) with the given chunks of COPY text. */
export function copyFrom(client: pg.ClientBase, text: string, chunks: AsyncIterable<string> | Iterable<string>): Promise<number> {
  const submittable = new CopyFromSubmittable(text, chunks);
  client.query(submittable as unknown as pg.QueryConfig);
  return submittable.done;
}

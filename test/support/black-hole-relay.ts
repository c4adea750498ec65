// A TCP relay to a database that can stop passing bytes either way, as a hung, stopped or
// cut-off server looks to its clients (connections stay open, answers never come).
import { connect, createServer, type AddressInfo, type Socket } from 'node:net';

/** A TCP relay to the test database that can stop passing bytes, as a hung or cut-off server does. */
export async function blackHoleRelay(target: URL): Promise<{ url: string; silent: (on: boolean) => void; close: () => Promise<void> }> {
  let silent = false;
  const sockets = new Set<Socket>();
  const server = createServer((inbound) => {
    const outbound = connect(Number(target.port || 5432), target.hostname);
    for (const [from, to] of [[inbound, outbound], [outbound, inbound]] as const) {
      sockets.add(from);
      from.on('data', (data) => {
        if (!silent) to.write(data);
      });
      from.on('error', () => undefined);
      from.on('close', () => to.destroy());
    }
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const relayed = new URL(target.toString());
  relayed.hostname = '127.0.0.1';
  relayed.port = String((server.address() as AddressInfo).port);
  return {
    url: relayed.toString(),
    silent: (on) => void (silent = on),
    close: async () => {
      for (const socket of sockets) socket.destroy();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}

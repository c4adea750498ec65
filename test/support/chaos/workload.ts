// The load of a chaos run: concurrent clients that create, replace and delete policies (some
// using groups and lists) and groups, patch lists, import users (JSON and NDJSON), set
// identities, delete users and read, each recording in the WriteModel what it sent and what
// became of it. A client writes only its own objects, one request at a time, so each object's
// writes are ordered; contenders (multi-instance runs) instead replace shared policies all at
// once through different servers.

import { performance } from 'node:perf_hooks';
import { isDeepStrictEqual } from 'node:util';
import type { ChaosApi, Reply } from './api-client.js';
import { groupBody, groupState, identityOf, listState, policyBody, policyState, refsOf, userState, versionedName, type RuleRefs } from './bodies.js';
import { knownState, SHARED, userKey, type ObjectKind, type State, type TrackedObject, type WriteModel } from './model.js';

export interface WorkloadLimits {
  /** Objects of each kind a client keeps at most (creates stop there; deletes go on). */
  readonly policies: number;
  readonly groups: number;
  readonly lists: number;
  readonly users: number;
  /** Users the bulk client (client 0) re-imports, all in one request, each time; 0: no bulk client. */
  readonly bulkUsers: number;
}

export interface WorkloadOptions {
  readonly model: WriteModel;
  readonly api: ChaosApi;
  /** The API URLs of the servers to use now; each request goes to one of them at random. */
  readonly servers: () => readonly string[];
  readonly clients: number;
  readonly limits: WorkloadLimits;
  readonly random: () => number;
  /** Shared policies (model keys) that contenders replace concurrently. */
  readonly contested?: readonly string[];
  readonly contenders?: number;
  /** After an acknowledged policy or group write, sometimes read it back through another server. */
  readonly readBack?: boolean;
  /**
   * How long after its client saw the connection break an unanswered write may still take
   * effect (a killed server's last COMMIT reaching PostgreSQL); Infinity: any time.
   */
  readonly ambiguityGraceMs?: number;
}

export interface WorkloadStats {
  /** Writes by what they did, e.g. "policy.create" → {acked, refused, ambiguous}. */
  readonly writes: Record<string, { acked: number; refused: number; ambiguous: number }>;
  reads: number;
  readBacks: number;
  /** Answers that contradict what was written (wrong echo, stale read, unexpected status). */
  readonly anomalies: string[];
}

/** Add one load's write counts to a running total. */
export function addWriteCounts(total: WorkloadStats['writes'], more: WorkloadStats['writes']): void {
  for (const [label, counts] of Object.entries(more)) {
    const sum = (total[label] ??= { acked: 0, refused: 0, ambiguous: 0 });
    sum.acked += counts.acked;
    sum.refused += counts.refused;
    sum.ambiguous += counts.ambiguous;
  }
}

const BULK_OWNER = 0;
/** The API's error code for a database that cannot take a request right now (503). */
const STORE_UNAVAILABLE = 1502;
const MAX_ANOMALIES = 50;

interface WriteSpec {
  readonly label: string;
  readonly method: string;
  readonly path: string;
  readonly body: unknown;
  readonly contentType?: string;
  /** Statuses that refuse the write for a reason the load can cause (a reference deleted meanwhile). */
  readonly refusals?: readonly number[];
}

export class Workload {
  readonly stats: WorkloadStats = { writes: {}, reads: 0, readBacks: 0, anomalies: [] };
  private stopped = false;
  private running: Promise<void>[] = [];
  private readonly numbers = new Map<number, number>();

  constructor(private readonly o: WorkloadOptions) {}

  start(): void {
    this.running = [
      ...Array.from({ length: this.o.clients }, (_, owner) => this.clientLoop(owner)),
      ...Array.from({ length: this.o.contenders ?? 0 }, () => this.contenderLoop()),
    ];
  }

  /** Stop issuing requests; resolves once every client's last request has settled. */
  async stop(): Promise<WorkloadStats> {
    this.stopped = true;
    await Promise.all(this.running);
    return this.stats;
  }

  private anomaly(message: string): void {
    if (this.stats.anomalies.length < MAX_ANOMALIES) this.stats.anomalies.push(message);
  }

  private rand(n: number): number {
    return Math.floor(this.o.random() * n);
  }

  private any<T>(items: readonly T[]): T | undefined {
    return items.length === 0 ? undefined : items[this.rand(items.length)];
  }

  private server(): string | undefined {
    return this.any(this.o.servers());
  }

  /** A number for a new object of `owner` (names stay short and unique per owner). */
  private nextNumber(owner: number): number {
    const n = (this.numbers.get(owner) ?? 0) + 1;
    this.numbers.set(owner, n);
    return n;
  }

  private count(label: string, outcome: 'acked' | 'refused' | 'ambiguous'): void {
    (this.stats.writes[label] ??= { acked: 0, refused: 0, ambiguous: 0 })[outcome]++;
  }

  private async clientLoop(owner: number): Promise<void> {
    while (!this.stopped) {
      try {
        if (owner === BULK_OWNER && this.o.limits.bulkUsers > 0) await this.bulkImport();
        else await this.randomStep(owner);
      } catch (err) {
        this.anomaly(`client ${owner}: ${(err as Error).stack ?? String(err)}`);
      }
    }
  }

  private async contenderLoop(): Promise<void> {
    while (!this.stopped) {
      const key = this.any(this.o.contested ?? []);
      if (key === undefined) return;
      const object = this.o.model.get(key)!;
      const seq = this.o.model.seq();
      const name = (object.baseline.state!.name as string).replace(/ w\d+$/, ` w${seq}`);
      const body = policyBody(name, seq, {});
      await this.writeObjects({ label: 'policy.contested-put', method: 'PUT', path: `/access/policies/${object.id}`, body }, [{ key, state: policyState(body) }], { state: policyState, whole: true });
    }
  }

  private async randomStep(owner: number): Promise<void> {
    const { limits, model } = this.o;
    const lists = model.owned(owner, 'list');
    if (lists.length < limits.lists) return this.createList(owner);
    const roll = this.rand(100);
    if (roll < 10) return this.createGroup(owner);
    if (roll < 18) return this.updateRuleSet(owner, 'group');
    if (roll < 21) return this.deleteObject(owner, 'group');
    if (roll < 33) return this.createPolicy(owner);
    if (roll < 45) return this.updateRuleSet(owner, 'policy');
    if (roll < 49) return this.deleteObject(owner, 'policy');
    if (roll < 59) return this.patchList(owner);
    if (roll < 69) return this.importUsers(owner);
    if (roll < 77) return this.setIdentity(owner);
    if (roll < 80) return this.deleteUser(owner);
    return this.read();
  }

  // ------------------------------------------------------------------ sending writes

  /** Send a write and record its fate; the answer's JSON when it was acknowledged. */
  private async send(op: number, spec: WriteSpec): Promise<any | undefined> {
    const url = this.server();
    const reply: Reply = url === undefined ? { kind: 'no-answer', neverSent: true, error: 'no server' } : await this.o.api.call(url, spec.method, spec.path, spec.body, spec.contentType);
    if (reply.kind === 'no-answer') {
      const grace = this.o.ambiguityGraceMs ?? Infinity;
      this.o.model.ambiguous(op, reply.neverSent, performance.now() + grace);
      this.count(spec.label, 'ambiguous');
      return undefined;
    }
    if (reply.status >= 200 && reply.status < 300) {
      this.count(spec.label, 'acked');
      return reply.json;
    }
    if (reply.status >= 500) {
      // A server error says nothing certain about the write: keep it as ambiguous. Only "the
      // database is not reachable right now" is an answer a fault may cause.
      this.o.model.ambiguous(op, false);
      this.count(spec.label, 'ambiguous');
      if (reply.json.errors?.[0]?.code !== STORE_UNAVAILABLE) this.anomaly(`${spec.method} ${spec.path}: ${reply.status} ${JSON.stringify(reply.json.errors)}`);
      return undefined;
    }
    this.o.model.refused(op);
    this.count(spec.label, 'refused');
    if (!(spec.refusals ?? []).includes(reply.status)) this.anomaly(`${spec.method} ${spec.path}: unexpected ${reply.status} ${JSON.stringify(reply.json.errors)}`);
    return undefined;
  }

  /**
   * A write to known objects. `echo.state` turns the answer's result into the state it shows
   * (checked against what was sent); `echo.whole` keeps the result as the object's expected
   * look when it is the object as a GET shows it.
   */
  private async writeObjects(
    spec: WriteSpec,
    writes: readonly { key: string; state: State; kind?: ObjectKind; owner?: number }[],
    echo: { readonly state?: (result: any) => State; readonly whole?: boolean } = {},
  ): Promise<any | undefined> {
    const op = this.o.model.begin(spec.label, writes);
    const json = await this.send(op, spec);
    if (json === undefined) return undefined;
    if (echo.state !== undefined && !isDeepStrictEqual(echo.state(json.result), writes[0].state)) {
      this.anomaly(`${spec.method} ${spec.path}: answered ${JSON.stringify(json.result)}, sent ${JSON.stringify(writes[0].state)}`);
    }
    this.o.model.acked(op, echo.whole === true ? { echo: json.result } : {});
    return json;
  }

  private async create(owner: number, kind: ObjectKind, spec: WriteSpec, name: string, state: State, echoState: (result: any) => State): Promise<void> {
    const op = this.o.model.beginCreate(spec.label, kind, name, owner, state);
    const json = await this.send(op, spec);
    if (json === undefined) return;
    if (!isDeepStrictEqual(echoState(json.result), state)) this.anomaly(`${spec.method} ${spec.path}: answered ${JSON.stringify(json.result)}, sent ${JSON.stringify(state)}`);
    this.o.model.acked(op, { echo: kind === 'list' ? undefined : json.result, createdId: json.result.id });
  }

  // ------------------------------------------------------------------ policies and groups

  private refsForNew(owner: number, groupChance: number, listChance: number): RuleRefs {
    const group = this.o.random() < groupChance ? this.any(this.o.model.existing('group'))?.id : undefined;
    const list = this.o.random() < listChance ? this.any(this.o.model.owned(owner, 'list'))?.id : undefined;
    return { ...(group !== undefined ? { group } : {}), ...(list !== undefined ? { list } : {}) };
  }

  private async createPolicy(owner: number): Promise<void> {
    if (this.o.model.owned(owner, 'policy').length >= this.o.limits.policies) return this.updateRuleSet(owner, 'policy');
    const seq = this.o.model.seq();
    const body = policyBody(versionedName(`c${owner}p`, this.nextNumber(owner), seq), seq, this.refsForNew(owner, 0.5, 0.3));
    // A group of another client may be deleted meanwhile: 400.
    await this.create(owner, 'policy', { label: 'policy.create', method: 'POST', path: '/access/policies', body, refusals: [400] }, body.name as string, policyState(body), policyState);
  }

  private async createGroup(owner: number): Promise<void> {
    if (this.o.model.owned(owner, 'group').length >= this.o.limits.groups) return this.updateRuleSet(owner, 'group');
    const seq = this.o.model.seq();
    const body = groupBody(versionedName(`c${owner}g`, this.nextNumber(owner), seq), seq, this.refsForNew(owner, 0.3, 0.3));
    await this.create(owner, 'group', { label: 'group.create', method: 'POST', path: '/access/groups', body, refusals: [400] }, body.name as string, groupState(body), groupState);
  }

  /** Replace one of the owner's policies or groups with a new version (same references). */
  private async updateRuleSet(owner: number, kind: 'policy' | 'group'): Promise<void> {
    const object = this.any(this.o.model.owned(owner, kind));
    if (object === undefined) return kind === 'policy' ? this.createPolicy(owner) : this.createGroup(owner);
    const current = knownState(object)!;
    const seq = this.o.model.seq();
    const name = (current.name as string).replace(/ w\d+$/, ` w${seq}`);
    const body = kind === 'policy' ? policyBody(name, seq, refsOf(current)) : groupBody(name, seq, refsOf(current));
    const project = kind === 'policy' ? policyState : groupState;
    const path = `/access/${kind === 'policy' ? 'policies' : 'groups'}/${object.id}`;
    // A group (nested, or used by a policy) can be refused when its reference cycles or vanished.
    const done = await this.writeObjects({ label: `${kind}.update`, method: 'PUT', path, body, refusals: kind === 'group' ? [400] : [] }, [{ key: object.key, state: project(body) }], { state: project, whole: true });
    if (done !== undefined && this.o.readBack === true) await this.readBack(path, project(body), project);
  }

  private async deleteObject(owner: number, kind: 'policy' | 'group'): Promise<void> {
    const object = this.any(this.o.model.owned(owner, kind));
    if (object === undefined) return;
    const path = `/access/${kind === 'policy' ? 'policies' : 'groups'}/${object.id}`;
    // A group still used by a policy or group is kept: 409.
    await this.writeObjects({ label: `${kind}.delete`, method: 'DELETE', path, body: undefined, refusals: kind === 'group' ? [409] : [] }, [{ key: object.key, state: null }]);
  }

  /** Read an acknowledged write back through another server: it must show it at once. */
  private async readBack(path: string, expected: State, project: (result: any) => State): Promise<void> {
    const url = this.server();
    if (url === undefined) return;
    const reply = await this.o.api.call(url, 'GET', path);
    if (reply.kind === 'no-answer') return;
    this.stats.readBacks++;
    if (reply.status !== 200 || !isDeepStrictEqual(project(reply.json.result), expected)) {
      this.anomaly(`stale read of ${path} from ${url}: ${reply.status} ${JSON.stringify(reply.json.result)}, expected ${JSON.stringify(expected)}`);
    }
  }

  // ------------------------------------------------------------------ lists

  private async createList(owner: number): Promise<void> {
    const seq = this.o.model.seq();
    const name = `c${owner}l${this.nextNumber(owner)}`;
    const value = `v${seq}@list.example`;
    const body = { name, type: 'EMAIL', items: [{ value }] };
    const echo = (result: any) => listState(result.name, result.type, (result.items as { value: string }[]).map((i) => i.value));
    await this.create(owner, 'list', { label: 'list.create', method: 'POST', path: '/gateway/lists', body }, name, listState(name, 'EMAIL', [value]), echo);
  }

  private async patchList(owner: number): Promise<void> {
    const object = this.any(this.o.model.owned(owner, 'list'));
    if (object === undefined) return;
    const current = knownState(object)!;
    const items = new Set(current.items as string[]);
    const remove = [...items].filter(() => this.o.random() < 0.3).slice(0, 3);
    const seq = this.o.model.seq();
    const append = Array.from({ length: 1 + this.rand(3) }, (_, i) => `v${seq}-${i}@list.example`);
    for (const value of remove) items.delete(value);
    for (const value of append) items.add(value);
    const state = listState(current.name as string, current.type as string, items);
    const body = { append: append.map((value) => ({ value })), remove };
    const json = await this.writeObjects({ label: 'list.patch', method: 'PATCH', path: `/gateway/lists/${object.id}`, body }, [{ key: object.key, state }], { whole: true });
    if (json !== undefined && json.result.count !== items.size) this.anomaly(`PATCH list ${object.id}: count ${json.result.count}, expected ${items.size}`);
  }

  // ------------------------------------------------------------------ users

  private async importUsers(owner: number): Promise<void> {
    const { model, limits } = this.o;
    const own = model.owned(owner, 'user');
    const seq = model.seq();
    const fresh = Math.min(limits.users - own.length, 1 + this.rand(5));
    const emails = [
      ...Array.from({ length: Math.max(0, fresh) }, (_, i) => `c${owner}u${seq}-${i}@crash.example`),
      ...own.filter(() => this.o.random() < 0.15).map((u) => knownState(u)!.email as string),
    ];
    if (emails.length === 0) return this.setIdentity(owner);
    await this.sendImport(owner, emails, `n w${seq}`, seq, this.o.random() < 0.5 ? 'json' : 'ndjson', 'users.import');
  }

  /** The bulk client: one import that rewrites all its users, so a kill may land inside it. */
  private async bulkImport(): Promise<void> {
    const seq = this.o.model.seq();
    const emails = Array.from({ length: this.o.limits.bulkUsers }, (_, i) => `bulk${i}@crash.example`);
    const ready = emails.every((email) => !this.o.model.get(userKey(email))?.retired);
    if (!ready) return this.read();
    await this.sendImport(BULK_OWNER, emails, `b w${seq}`, seq, 'ndjson', 'users.bulk-import');
  }

  private async sendImport(owner: number, emails: readonly string[], name: string, seq: number, format: 'json' | 'ndjson', label: string): Promise<void> {
    const identity = identityOf(seq);
    const entries = emails.map((email) => ({ email, name, identity }));
    const body = format === 'json' ? { users: entries } : entries.map((e) => JSON.stringify(e)).join('\n');
    const spec: WriteSpec = { label: `${label}.${format}`, method: 'POST', path: '/access/users/import', body, contentType: format === 'json' ? 'application/json' : 'application/x-ndjson' };
    await this.writeObjects(
      spec,
      emails.map((email) => ({ key: userKey(email), state: userState(email, name, identity), kind: 'user' as const, owner })),
    );
  }

  /** The id of one of the owner's users, looked up by email the first time. */
  private async userId(user: TrackedObject): Promise<string | undefined> {
    if (user.id !== undefined) return user.id;
    const url = this.server();
    if (url === undefined) return undefined;
    const email = knownState(user)!.email as string;
    const reply = await this.o.api.call(url, 'GET', `/access/users?email=${encodeURIComponent(email)}`);
    this.stats.reads++;
    if (reply.kind === 'no-answer') return undefined;
    const found = reply.status === 200 ? (reply.json.result as { id: string }[])[0] : undefined;
    if (found === undefined) this.anomaly(`user ${email} acknowledged but not found: ${reply.status} ${JSON.stringify(reply.json)}`);
    user.id = found?.id;
    return user.id;
  }

  private async setIdentity(owner: number): Promise<void> {
    const user = this.any(this.o.model.owned(owner, 'user'));
    if (user === undefined) return this.importUsers(owner);
    const id = await this.userId(user);
    if (id === undefined) return;
    const current = knownState(user)!;
    const seq = this.o.model.seq();
    const identity = identityOf(seq);
    const state = userState(current.email as string, current.name as string, identity);
    await this.writeObjects({ label: 'user.identity-put', method: 'PUT', path: `/access/users/${id}/last_seen_identity`, body: identity }, [{ key: user.key, state }], {
      state: (result) => userState(current.email as string, current.name as string, result),
    });
  }

  private async deleteUser(owner: number): Promise<void> {
    const user = this.any(this.o.model.owned(owner, 'user'));
    if (user === undefined) return;
    const id = await this.userId(user);
    if (id === undefined) return;
    await this.writeObjects({ label: 'user.delete', method: 'DELETE', path: `/access/users/${id}`, body: undefined }, [{ key: user.key, state: null }]);
  }

  // ------------------------------------------------------------------ reads

  private async read(): Promise<void> {
    const url = this.server();
    const object = this.any([...this.o.model.existing('policy'), ...this.o.model.existing('group')].filter((o) => o.owner !== SHARED));
    if (url === undefined) return;
    const path = object === undefined ? '/access/policies?per_page=50' : `/access/${object.kind === 'policy' ? 'policies' : 'groups'}/${object.id}`;
    await this.o.api.call(url, 'GET', path);
    this.stats.reads++;
  }
}

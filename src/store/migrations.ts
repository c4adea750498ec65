// Schema migrations, applied in order on start (each once, recorded in schema_migrations).
// Released migrations never change; a schema change is a new migration. The DDL is written
// once; the few types that differ between dialects are spelled per dialect.

import type { Dialect, Migration } from './driver.js';

interface DialectTypes {
  /** An auto-incrementing integer primary key: the order rows were inserted in. */
  readonly serialKey: string;
  /** A 64-bit integer (milliseconds since the epoch, sequence numbers). */
  readonly bigint: string;
}

const TYPES: Record<Dialect, DialectTypes> = {
  sqlite: { serialKey: 'INTEGER PRIMARY KEY AUTOINCREMENT', bigint: 'INTEGER' },
  postgres: { serialKey: 'BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY', bigint: 'BIGINT' },
};

function perDialect(ddl: (t: DialectTypes) => string[]): Record<Dialect, string[]> {
  return { sqlite: ddl(TYPES.sqlite), postgres: ddl(TYPES.postgres) };
}

export const MIGRATIONS: readonly Migration[] = [
  {
    version: 1,
    description: 'account resources, references, Gateway list items, users and API tokens',
    statements: perDialect((t) => [
      `CREATE TABLE resources (
        account_id TEXT NOT NULL,
        kind TEXT NOT NULL,
        id TEXT NOT NULL,
        parent_id TEXT,
        name TEXT NOT NULL,
        body TEXT NOT NULL,
        secret_hash TEXT,
        created_at TEXT NOT NULL,
        updated_at TEXT NOT NULL,
        version INTEGER NOT NULL,
        PRIMARY KEY (account_id, kind, id)
      )`,
      `CREATE INDEX resources_by_creation ON resources (account_id, kind, created_at, id)`,
      `CREATE INDEX resources_by_parent ON resources (account_id, kind, parent_id)`,
      `CREATE TABLE refs (
        account_id TEXT NOT NULL,
        from_kind TEXT NOT NULL,
        from_id TEXT NOT NULL,
        to_kind TEXT NOT NULL,
        to_id TEXT NOT NULL,
        PRIMARY KEY (account_id, from_kind, from_id, to_kind, to_id)
      )`,
      `CREATE INDEX refs_by_target ON refs (account_id, to_kind, to_id)`,
      `CREATE TABLE list_items (
        account_id TEXT NOT NULL,
        list_id TEXT NOT NULL,
        value TEXT NOT NULL,
        description TEXT,
        created_at TEXT NOT NULL,
        PRIMARY KEY (account_id, list_id, value)
      )`,
      `CREATE TABLE users (
        seq ${t.serialKey},
        account_id TEXT NOT NULL,
        id TEXT NOT NULL,
        email TEXT NOT NULL,
        email_key TEXT NOT NULL,
        name TEXT NOT NULL,
        identity TEXT,
        created_at TEXT NOT NULL,
        updated_at TEXT NOT NULL,
        last_seen_at TEXT,
        UNIQUE (account_id, id),
        UNIQUE (account_id, email_key)
      )`,
      `CREATE TABLE api_tokens (
        id TEXT PRIMARY KEY,
        name TEXT NOT NULL,
        secret_hash TEXT NOT NULL UNIQUE,
        policies TEXT NOT NULL,
        condition TEXT,
        status TEXT NOT NULL,
        issued_on TEXT NOT NULL,
        modified_on TEXT NOT NULL,
        expires_on TEXT,
        not_before TEXT,
        last_used_on TEXT
      )`,
    ]),
  },
  {
    version: 2,
    description: 'policy tests: definitions, progress counters, leased chunks of users and their results; resources in insertion order',
    statements: {
      // SQLite orders resources by its implicit rowid; PostgreSQL needs a column for it.
      sqlite: policyTestTables(TYPES.sqlite),
      postgres: ['ALTER TABLE resources ADD COLUMN seq BIGINT GENERATED ALWAYS AS IDENTITY', ...policyTestTables(TYPES.postgres)],
    },
  },
  {
    version: 3,
    description: 'the audit log of every write made through the API',
    statements: perDialect((t) => [
      `CREATE TABLE audit_log (
        seq ${t.serialKey},
        id TEXT NOT NULL UNIQUE,
        account_id TEXT,
        at TEXT NOT NULL,
        actor_kind TEXT NOT NULL,
        actor_token_id TEXT NOT NULL,
        actor_ip TEXT NOT NULL,
        request_id TEXT NOT NULL,
        method TEXT NOT NULL,
        path TEXT NOT NULL,
        action TEXT NOT NULL,
        resource_kind TEXT NOT NULL,
        resource_id TEXT NOT NULL,
        before TEXT,
        after TEXT
      )`,
      `CREATE INDEX audit_log_by_account ON audit_log (account_id, seq)`,
    ]),
  },
  {
    version: 4,
    description: "policy tests: the account's groups, lists and other references as they were when the test started",
    statements: perDialect(() => ['ALTER TABLE policy_tests ADD COLUMN environment TEXT']),
  },
  {
    version: 5,
    description: 'accounts exist explicitly; every account that already holds data is registered',
    statements: perDialect(() => [
      `CREATE TABLE accounts (
        id TEXT PRIMARY KEY,
        name TEXT NOT NULL,
        created_at TEXT NOT NULL
      )`,
      // Data written before accounts were explicit stays reachable: its account is registered now.
      `INSERT INTO accounts (id, name, created_at)
        SELECT account_id, 'Account ' || substr(account_id, 1, 8), '${new Date().toISOString()}'
          FROM (SELECT account_id FROM resources UNION SELECT account_id FROM users UNION SELECT account_id FROM policy_tests UNION SELECT account_id FROM audit_log WHERE account_id IS NOT NULL) AS used`,
    ]),
  },
  {
    version: 6,
    description: "deleted users keep their place in the directory, so a policy test's result for one is found without reading every chunk",
    statements: perDialect((t) => [
      `CREATE TABLE deleted_users (
        account_id TEXT NOT NULL,
        id TEXT NOT NULL,
        seq ${t.bigint} NOT NULL,
        deleted_at TEXT NOT NULL,
        PRIMARY KEY (account_id, id)
      )`,
    ]),
  },
  {
    version: 7,
    description: 'PostgreSQL: trigram indexes answer user searches without reading every user (when pg_trgm can be installed)',
    statements: {
      // SQLite runs searches on worker threads instead (sqlite/statement-pool.ts).
      sqlite: [],
      // pg_trgm is a trusted extension (PostgreSQL 13+): a database owner may install it. Where
      // it cannot be, searches still work, by reading every user of the account. One database
      // may hold several portcullis schemas (instances, tests) and has one pg_trgm: it goes in
      // public, where a DROP SCHEMA … CASCADE of one of them cannot take it and every other
      // schema's trigram indexes with it (it did: a test run's dropped schema held it), else in
      // this schema. Its operator class is named with the schema it is in.
      postgres: [
        `DO $migration$
        DECLARE trgm_schema text;
        BEGIN
          BEGIN
            CREATE EXTENSION IF NOT EXISTS pg_trgm SCHEMA public;
          EXCEPTION WHEN OTHERS THEN
            -- public missing or not ours to write, or another session installing it meanwhile.
            BEGIN
              CREATE EXTENSION IF NOT EXISTS pg_trgm;
            EXCEPTION WHEN OTHERS THEN
              NULL;
            END;
          END;
          SELECT n.nspname INTO trgm_schema FROM pg_extension e JOIN pg_namespace n ON n.oid = e.extnamespace WHERE e.extname = 'pg_trgm';
          IF trgm_schema IS NULL THEN
            RAISE NOTICE 'pg_trgm cannot be installed: user searches read every user';
            RETURN;
          END IF;
          EXECUTE format('CREATE INDEX users_email_key_trgm ON users USING gin (email_key %I.gin_trgm_ops)', trgm_schema);
          EXECUTE format('CREATE INDEX users_name_trgm ON users USING gin (lower(name) %I.gin_trgm_ops)', trgm_schema);
        END
        $migration$`,
      ],
    },
  },
  {
    version: 8,
    description: "the access-request log: sign-ins and refused requests of the enforcement point, which users' sessions and failed logins are read from",
    statements: perDialect(() => [
      `CREATE TABLE access_requests (
        id TEXT PRIMARY KEY,
        account_id TEXT NOT NULL,
        created_at TEXT NOT NULL,
        action TEXT NOT NULL,
        allowed INTEGER NOT NULL,
        app_domain TEXT,
        app_uid TEXT,
        app_name TEXT,
        connection TEXT,
        country TEXT,
        ip_address TEXT,
        ray_id TEXT NOT NULL,
        user_email TEXT,
        user_id TEXT,
        nonce TEXT,
        expires_at TEXT
      )`,
      'CREATE INDEX access_requests_by_time ON access_requests (account_id, created_at)',
      'CREATE INDEX access_requests_by_user ON access_requests (account_id, user_id, created_at)',
    ]),
  },
  {
    version: 9,
    description: "a counter per account that every write to it moves on, so that what is derived from the account's objects (the enforcement point's compiled policies) is rebuilt when, and only when, they change, in every instance",
    statements: perDialect((t) => [
      `CREATE TABLE account_versions (
        account_id TEXT PRIMARY KEY,
        version ${t.bigint} NOT NULL
      )`,
    ]),
  },
  {
    version: 10,
    description: 'sign-ins under way (an identity provider login between its start and its callback, a one-time PIN mailed and not yet typed): kept in the database so that any instance can finish a login another started, and each can be finished once',
    statements: perDialect((t) => [
      `CREATE TABLE login_challenges (
        id TEXT PRIMARY KEY,
        account_id TEXT NOT NULL,
        kind TEXT NOT NULL,
        email TEXT,
        ip_address TEXT,
        body TEXT NOT NULL,
        attempts INTEGER NOT NULL DEFAULT 0,
        created_at TEXT NOT NULL,
        expires_at ${t.bigint} NOT NULL
      )`,
      'CREATE INDEX login_challenges_by_email ON login_challenges (account_id, kind, email, created_at)',
      'CREATE INDEX login_challenges_by_ip ON login_challenges (account_id, kind, ip_address, created_at)',
      'CREATE INDEX login_challenges_by_expiry ON login_challenges (expires_at)',
    ]),
  },
  {
    version: 11,
    description: "resources found by name without reading every one of their kind: an identity provider's SCIM users and groups by userName or displayName",
    statements: {
      sqlite: ['CREATE INDEX resources_by_parent_name ON resources (account_id, kind, parent_id, name, created_at)'],
      // A hash index: a B-tree entry is bounded (about 2.7 kB) and names of other kinds may be longer.
      postgres: ['CREATE INDEX resources_by_name ON resources USING hash (name)'],
    },
  },
  {
    version: 12,
    description: "PostgreSQL: policy-test results compressed with lz4 rather than pglz (when the server has it), which took a third of the database's time storing a test's chunks",
    statements: {
      sqlite: [],
      // lz4 is PostgreSQL 14+'s, and optional in its build; without it results stay pglz.
      // Results already stored keep their compression.
      postgres: [
        `DO $migration$
        BEGIN
          IF EXISTS (SELECT 1 FROM pg_settings WHERE name = 'default_toast_compression' AND 'lz4' = ANY (enumvals)) THEN
            ALTER TABLE policy_test_chunks ALTER COLUMN results SET COMPRESSION lz4;
          END IF;
        END
        $migration$`,
      ],
    },
  },
  {
    version: 13,
    description:
      "policy-test chunks found for a lease through an index of pending chunks only: the index of every chunk's state kept an entry for each finished chunk until the table was vacuumed, so PostgreSQL's lease read every chunk of a running test (a third of the database's time in a million-user test); tests still processing found without reading the finished ones",
    statements: perDialect(() => [
      "CREATE INDEX policy_test_chunks_pending ON policy_test_chunks (test_id, chunk_no) WHERE state = 'pending'",
      'DROP INDEX policy_test_chunks_by_state',
      "CREATE INDEX policy_tests_processing ON policy_tests (id) WHERE status = 'processing'",
    ]),
  },
  {
    version: 14,
    description:
      "users: beside each identity, its record (only what the engine reads, engine/identity-record.ts), which policy tests decide users from; users stored before keep none and are decided from their identity until it is written again",
    statements: perDialect(() => ['ALTER TABLE users ADD COLUMN identity_record TEXT']),
  },
  {
    version: 15,
    description:
      'store_markers: facts about the whole database that outlive a process, such as the identity-record version every user was last brought to (a pass of the records rebuild, tester/record-rebuild.ts)',
    statements: perDialect(() => ['CREATE TABLE store_markers (name TEXT PRIMARY KEY, value TEXT NOT NULL)']),
  },
  {
    version: 16,
    description:
      "access_requests: a sign-in's purpose justification, the prompt shown and what the user wrote (docs/enforcement.md \"Purpose justification\"); null for every other entry",
    statements: perDialect(() => ['ALTER TABLE access_requests ADD COLUMN justification_prompt TEXT', 'ALTER TABLE access_requests ADD COLUMN justification_response TEXT']),
  },
  {
    version: 17,
    description:
      "access_requests: a sign-in an approver granted (docs/enforcement.md \"Temporary authentication\"): who approved (a JSON array of emails) and for how many seconds; null for every other entry",
    statements: perDialect(() => ['ALTER TABLE access_requests ADD COLUMN approvers TEXT', 'ALTER TABLE access_requests ADD COLUMN approved_seconds INTEGER']),
  },
  {
    version: 18,
    description:
      'access_requests: a refusal\'s reason beyond the policies\' verdict, such as an external evaluation endpoint that gave no answer at the sign-in and its code (docs/enforcement.md "External evaluation"); null for every other entry',
    statements: perDialect(() => ['ALTER TABLE access_requests ADD COLUMN reason TEXT']),
  },
  {
    version: 19,
    description:
      'ended_sign_ins: the sign-ins signed out of (their identity nonce), whose tokens open nothing until the longest of them would have expired (docs/enforcement.md "Sessions and tokens")',
    statements: perDialect((t) => [
      `CREATE TABLE ended_sign_ins (
        account_id TEXT NOT NULL,
        nonce TEXT NOT NULL,
        user_id TEXT NOT NULL,
        expires_at ${t.bigint} NOT NULL,
        ended_at TEXT NOT NULL,
        PRIMARY KEY (account_id, nonce)
      )`,
      `CREATE INDEX ended_sign_ins_by_expiry ON ended_sign_ins (account_id, expires_at)`,
    ]),
  },
  {
    version: 20,
    description:
      "sign_in_counters: counts that outlive the sign-ins they count, each in a window of its own (a one-time PIN's codes and wrong answers per address per day, docs/identity-providers.md \"One-time PIN\")",
    statements: perDialect((t) => [
      `CREATE TABLE sign_in_counters (
        account_id TEXT NOT NULL,
        name TEXT NOT NULL,
        count INTEGER NOT NULL,
        ends_at ${t.bigint} NOT NULL,
        PRIMARY KEY (account_id, name)
      )`,
      `CREATE INDEX sign_in_counters_by_end ON sign_in_counters (ends_at)`,
    ]),
  },
  {
    version: 21,
    description:
      'scim_updates: the SCIM update log, one row per SCIM write an identity provider pushed, succeeded or refused, kept a bounded time (docs/identity-providers.md "The SCIM update log")',
    statements: perDialect(() => [
      `CREATE TABLE scim_updates (
        id TEXT PRIMARY KEY,
        account_id TEXT NOT NULL,
        idp_id TEXT NOT NULL,
        logged_at TEXT NOT NULL,
        status TEXT NOT NULL,
        resource_type TEXT NOT NULL,
        request_method TEXT NOT NULL,
        cf_resource_id TEXT,
        idp_resource_id TEXT,
        resource_user_email TEXT,
        resource_group_name TEXT,
        request_body TEXT,
        error_description TEXT
      )`,
      'CREATE INDEX scim_updates_by_provider ON scim_updates (account_id, idp_id, logged_at)',
      'CREATE INDEX scim_updates_by_time ON scim_updates (account_id, logged_at)',
    ]),
  },
];

function policyTestTables(t: DialectTypes): string[] {
  return [
    `CREATE INDEX users_by_account_seq ON users (account_id, seq)`,
    `CREATE TABLE policy_tests (
      id TEXT PRIMARY KEY,
      account_id TEXT NOT NULL,
      status TEXT NOT NULL,
      reason TEXT,
      definition TEXT NOT NULL,
      total_users INTEGER NOT NULL,
      processed_users INTEGER NOT NULL DEFAULT 0,
      approved INTEGER NOT NULL DEFAULT 0,
      blocked INTEGER NOT NULL DEFAULT 0,
      errored INTEGER NOT NULL DEFAULT 0,
      changed INTEGER NOT NULL DEFAULT 0,
      chunk_count INTEGER NOT NULL,
      chunks_done INTEGER NOT NULL DEFAULT 0,
      created_at TEXT NOT NULL,
      finished_at TEXT,
      deadline_ms ${t.bigint} NOT NULL
    )`,
    `CREATE INDEX policy_tests_by_account ON policy_tests (account_id, created_at)`,
    `CREATE TABLE policy_test_chunks (
      test_id TEXT NOT NULL,
      chunk_no INTEGER NOT NULL,
      seq_from ${t.bigint} NOT NULL,
      seq_to ${t.bigint} NOT NULL,
      expected_users INTEGER NOT NULL,
      state TEXT NOT NULL,
      lease_owner TEXT,
      lease_expires_ms ${t.bigint},
      completed_by TEXT,
      counts TEXT,
      results TEXT,
      PRIMARY KEY (test_id, chunk_no)
    )`,
    `CREATE INDEX policy_test_chunks_by_state ON policy_test_chunks (state, test_id, chunk_no)`,
  ];
}

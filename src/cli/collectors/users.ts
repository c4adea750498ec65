// Keeping users themselves: those a check's cases name (the users file may be a whole
// directory), or every user for the demo's eight.

import type { Collector } from '../bulk/collector.js';
import type { SourceUser } from '../users/user.js';

export interface UsersSpec {
  readonly kind: 'users';
  /** Lower-cased emails to keep; null = every user. */
  readonly emails: string[] | null;
}

export interface UsersPartial {
  readonly users: SourceUser[];
}

export class UsersCollector implements Collector<UsersPartial> {
  private readonly wanted: Set<string> | null;
  private users: SourceUser[] = [];

  constructor(spec: UsersSpec) {
    this.wanted = spec.emails === null ? null : new Set(spec.emails);
  }

  add(user: SourceUser): void {
    if (this.wanted === null || this.wanted.has(user.email.toLowerCase())) this.users.push(user);
  }

  take(): UsersPartial {
    const users = this.users;
    this.users = [];
    return { users };
  }
}

// Emails must be unique in a users file (compared case-insensitively), as in the server's store.

export class EmailIndex {
  /** Lower-cased email → where it was first seen (a line number, or an array index). */
  private readonly firstSeen = new Map<string, number>();

  /** Record an email; returns where it was seen before, or undefined when it is new. */
  seen(email: string, where: number): number | undefined {
    const key = email.toLowerCase();
    const first = this.firstSeen.get(key);
    if (first === undefined) this.firstSeen.set(key, where);
    return first;
  }
}

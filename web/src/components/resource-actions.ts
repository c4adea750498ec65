// Saving and deleting an edited resource the same way on every editor page: create when it
// has no id yet (then the address names the new id), update otherwise; delete, then go back
// to the list.

import type { ApiAnswer } from '../api/client.js';
import { navigate, replaceAddress } from '../router.js';
import type { SaveState } from './save-state.js';

/** A resource's writes; a create may answer another shape than an update (a list's create has its entries). */
interface Writable<Body, Created, Updated> {
  create(body: Body): Promise<ApiAnswer<Created>>;
  update(id: string, body: Body): Promise<ApiAnswer<Updated>>;
  remove(id: string): Promise<ApiAnswer<unknown>>;
}

export interface ResourceActions<Body, Result> {
  /** The saved resource, or undefined when the save failed (the notes say why). */
  save(id: string | undefined, body: Body): Promise<Result | undefined>;
  /** Whether it was deleted. */
  remove(id: string): Promise<boolean>;
}

/**
 * `what` names the resource in confirmations ("Group"); `listPath` is its list page (/groups),
 * whose `${listPath}/${id}` is an item's address; `changed` runs after every successful write.
 */
export function resourceActions<Body, Created extends { id: string }, Updated extends { id: string }>(
  state: SaveState,
  api: Writable<Body, Created, Updated>,
  what: string,
  listPath: string | undefined,
  changed: () => void = () => undefined,
): ResourceActions<Body, Created | Updated> {
  return {
    async save(id, body) {
      const result = await state.save<Created | Updated>(() => (id === undefined ? api.create(body) : api.update(id, body)), `${what} ${id === undefined ? 'created' : 'saved'}.`);
      if (result === undefined) return undefined;
      changed();
      if (id === undefined && listPath !== undefined) replaceAddress(`${listPath}/${result.id}`);
      return result;
    },
    async remove(id) {
      if ((await state.save(() => api.remove(id), `${what} deleted.`)) === undefined) return false;
      changed();
      // Its unsaved edits went with it: no question about them.
      if (listPath !== undefined) navigate(listPath, { ask: false });
      return true;
    },
  };
}

// JSON Schemas of Gateway lists and their items (requests and answers).

import { arr, described, enumOf, int, obj, str, type Static } from './json-schema.js';

/** The 2024 spec's five types, then the four the current SDK adds. */
export const LIST_TYPES = ['SERIAL', 'URL', 'DOMAIN', 'EMAIL', 'IP', 'CATEGORY', 'LOCATION', 'DEVICE', 'AAGUID'] as const;
export type ListTypeName = (typeof LIST_TYPES)[number];

/** Most items one create, update or PATCH may carry (each of `append` and `remove`). */
export const MAX_ITEMS_PER_REQUEST = 10_000;

const listType = enumOf(LIST_TYPES, 'What the list holds; access rules use IP lists (ip_list) and EMAIL lists (email_list). It never changes.');
const name = str({ minLength: 1, maxLength: 4096, description: 'The list name.' });
const description = str({ maxLength: 4096, description: 'A free-text description.' });
const timestamps = { created_at: str({ format: 'date-time' }), updated_at: str({ format: 'date-time' }) };

export const LIST_ITEM_INPUT = obj(
  {
    value: str({ minLength: 1, maxLength: 2048, description: 'The entry: an IP address or CIDR, an email address, a domain, a URL, a serial number...' }),
    description: str({ maxLength: 4096, description: 'A note on the entry.' }),
    created_at: str({ description: 'Ignored: accepted so that items read from a list can be sent back as they are.' }),
  },
  { required: ['value'] },
);

/** An entry as a request sends it. */
export type ListItemInput = Static<typeof LIST_ITEM_INPUT>;

const itemsInput = (what: string) => arr(LIST_ITEM_INPUT, { maxItems: MAX_ITEMS_PER_REQUEST, description: `${what} (at most ${MAX_ITEMS_PER_REQUEST}).` });

export const LIST_CREATE_REQUEST = obj(
  { name, type: listType, description, items: itemsInput('The first entries') },
  { required: ['name', 'type'] },
);

export const LIST_UPDATE_REQUEST = obj(
  {
    name,
    description,
    type: described(listType, 'Optional; when sent it must be the list\'s current type.'),
    items: itemsInput('When not empty, these entries replace all of the list\'s entries'),
  },
  { required: ['name'] },
);

export const LIST_PATCH_REQUEST = obj({
  append: itemsInput('Entries to add; an entry already in the list keeps its description'),
  remove: arr(str({ minLength: 1 }), { maxItems: MAX_ITEMS_PER_REQUEST, description: `Values of entries to remove, applied before \`append\` (at most ${MAX_ITEMS_PER_REQUEST}).` }),
});

export const LIST_ITEM = obj({ value: str(), description: str(), created_at: str({ format: 'date-time' }) }, { required: ['value', 'created_at'] });

export const LIST_RESPONSE = obj(
  {
    id: str({ description: 'The list id (UUID).' }),
    name,
    type: listType,
    description,
    count: int({ description: 'How many entries the list holds.' }),
    ...timestamps,
  },
  { required: ['id', 'name', 'type', 'count', 'created_at', 'updated_at'] },
);

export const LIST_CREATE_RESPONSE = obj(
  {
    id: str({ description: 'The list id (UUID).' }),
    name,
    type: listType,
    description,
    items: arr(LIST_ITEM),
    ...timestamps,
  },
  { required: ['id', 'name', 'type', 'items', 'created_at', 'updated_at'] },
);

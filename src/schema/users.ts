// JSON Schemas of Zero Trust users and the user import (requests and answers).

import { IDENTITY_SCHEMA } from './identity.js';
import { arr, bool, described, int, nullable, obj, str } from './json-schema.js';

const email = str({ minLength: 1, maxLength: 254, description: 'The user\'s email address (unique in the account, compared case-insensitively).' });
const name = str({ maxLength: 4096, description: 'The user\'s name.' });

export const USER_CREATE_REQUEST = obj({ email, name }, { required: ['email'] });

export const USER_UPDATE_REQUEST = obj(
  { email: described(email, 'The user\'s current email, as a confirmation: it cannot change.'), name },
  { required: ['email', 'name'] },
);

export const USER_RESPONSE = obj(
  {
    id: str({ description: 'The user id (UUID).' }),
    uid: str({ description: 'The same as id.' }),
    seat_uid: str({ description: 'The same as id: portcullis keeps no separate seats.' }),
    email: str({ format: 'email' }),
    name: str(),
    access_seat: bool('Whether the user has a last seen identity (logged in, or had one set).'),
    gateway_seat: bool('Always false: portcullis has no Gateway.'),
    active_device_count: int({ description: 'Always 0: portcullis has no devices.' }),
    last_successful_login: str({ format: 'date-time', description: 'When the last seen identity was set; absent before (Cloudflare types it as a date-time, never null).' }),
    created_at: str({ format: 'date-time' }),
    updated_at: str({ format: 'date-time' }),
  },
  {
    required: ['id', 'uid', 'seat_uid', 'email', 'name', 'access_seat', 'gateway_seat', 'active_device_count', 'created_at', 'updated_at'],
  },
);

/** One user of an import: a JSON array element, or one NDJSON line. */
export const IMPORT_ENTRY = obj(
  {
    email,
    name: described(name, 'The user\'s name; when left out, an existing user keeps theirs.'),
    identity: described(IDENTITY_SCHEMA, 'The last seen identity; its email, when left out, is the entry\'s. When left out, an existing user keeps theirs.'),
  },
  { required: ['email'] },
);

export const IMPORT_REQUEST = obj({ users: arr(IMPORT_ENTRY) }, { required: ['users'], description: 'As application/json; as application/x-ndjson, one entry per line.' });

export const IMPORT_RESPONSE = obj(
  {
    created: int({ description: 'Users that did not exist.' }),
    updated: int({ description: 'Existing users (matched by email, case-insensitively) that the import changed.' }),
    unchanged: int({
      description: "Existing users whose entry held nothing new (the same name and identity, or none given): left as they were, their updated_at and last_successful_login included.",
    }),
  },
  { required: ['created', 'updated', 'unchanged'] },
);

/** Users per page of the bulk identity read: large pages keep an export of millions to few requests. */
export const IDENTITIES_MAX_LIMIT = 10_000;

export const USER_IDENTITIES_QUERY = {
  cursor: str({ pattern: '^[0-9]{1,15}$', patternHint: 'the next_cursor of the previous page', description: 'Where the previous page ended (its next_cursor); absent for the first page.' }),
  limit: int({ minimum: 1, maximum: IDENTITIES_MAX_LIMIT, default: 1000, description: `Users in this page (at most ${IDENTITIES_MAX_LIMIT}).` }),
};

export const USER_IDENTITIES_RESPONSE = obj(
  {
    users: arr(
      obj(
        {
          id: str(),
          email: str(),
          name: str(),
          identity: nullable(IDENTITY_SCHEMA),
          last_successful_login: nullable(str({ description: "The user's last login or import of an identity; null before the first (a user a SCIM directory pushed may have an identity and no login yet)." })),
        },
        { required: ['id', 'email', 'name', 'identity', 'last_successful_login'], description: 'A user with its last seen identity (null before the first login or import).' },
      ),
    ),
    next_cursor: nullable(str({ description: 'Pass as cursor for the next page; null on the last page.' })),
    total_count: int({ description: 'On the first page only: how many users the account has.' }),
  },
  { required: ['users', 'next_cursor'] },
);

// How many user imports one server runs at once. An NDJSON import holds the chunks of its body
// that arrived until its transaction can start (up to PORTCULLIS_IMPORT_LIMIT_MB), and a JSON
// one its parsed entries: unbounded, a handful of large imports at once could take more memory
// than the machine has. Imports past the limit wait their turn, first come first served, an
// NDJSON body left unread meanwhile (the client's sending is held back by TCP, not kept here).

import { Slots } from '../external/slots.js';

export class ImportSlots extends Slots {}

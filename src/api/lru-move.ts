// The server's bounded maps (rate buckets, kept tokens, kept answers) drop their least recently
// used entry first, using a Map's insertion order as that order. Moving an entry to the end on
// every use costs a delete and an insert per request on the read path; moving it at most once
// this often keeps a busy entry just as far from the front.
export const LRU_MOVE_MS = 1_000;

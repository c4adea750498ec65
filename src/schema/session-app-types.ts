// The application types with a session of their own, in a module that imports nothing: the API
// answers their session_duration when left out (src/api/resources/apps.ts), and the dashboard
// (which bundles this module) shows the Session duration field for them.

/** Types with a session of their own, whose session_duration is answered when left out. */
export const SESSION_APP_TYPES: ReadonlySet<string> = new Set(['self_hosted', 'ssh', 'vnc', 'rdp', 'app_launcher', 'warp', 'biso']);

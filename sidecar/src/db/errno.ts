// The server's error number on a driver error (mysql2 sets `errno`), or undefined for anything else.
export function errnoOf(err: unknown): unknown {
  return typeof err === 'object' && err !== null && 'errno' in err ? (err as { errno: unknown }).errno : undefined;
}

/** `server.bind` ("host:port", "[::1]:port") as host and port. */
export function parseBind(bind: string): { host: string; port: number } {
  const match = /^(?:\[([^\]]+)\]|([^:]+)):(\d{1,5})$/.exec(bind.trim());
  const port = Number(match?.[3]);
  if (match === null || port < 1 || port > 65535) throw new Error(`server.bind must be host:port, got "${bind}"`);
  return { host: match[1] ?? match[2]!, port };
}

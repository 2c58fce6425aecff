// Response headers as the HTTP layer hands them over (lower-case names, a repeated header as an array), and the one way to read a header from them.

export type HttpHeaders = Record<string, string | string[] | undefined>;

/** The first value of header `name` (lower-case), if the response carried it. */
export function firstHeader(headers: HttpHeaders, name: string): string | undefined {
  const value = headers[name];
  return Array.isArray(value) ? value[0] : value;
}

/**
 * Content negotiation (RFC 9110 §12.5): the weight a client gives a media type (Accept) or a content coding
 * (Accept-Encoding), with `q=0` meaning "not acceptable".
 */

/** Each listed value of an Accept-like header with its weight (1 when it has no `q`; 0 when `q` is malformed). */
function weights(header: string | undefined): Array<{ value: string; q: number }> {
  const listed: Array<{ value: string; q: number }> = [];
  for (const part of (header ?? '').split(',')) {
    const [value = '', ...parameters] = part.split(';').map((piece) => piece.trim().toLowerCase());
    if (!value) continue;
    const q = parameters.find((parameter) => /^q\s*=/.test(parameter));
    const weight = q === undefined ? 1 : Number(q.replace(/^q\s*=\s*/, ''));
    listed.push({ value, q: Number.isFinite(weight) && weight >= 0 && weight <= 1 ? weight : 0 });
  }
  return listed;
}

/**
 * The weight an Accept header gives `mediaType` (`type/subtype`): its most specific matching range wins
 * (`type/subtype`, then `type/*`, then `*\/*`); no header accepts everything, a header that matches nothing gives 0.
 */
export function mediaTypeWeight(accept: string | undefined, mediaType: string): number {
  if (accept === undefined || accept.trim() === '') return 1;
  const [type] = mediaType.split('/');
  const listed = weights(accept);
  for (const range of [mediaType, `${type}/*`, '*/*']) {
    const match = listed.find((entry) => entry.value === range);
    if (match) return match.q;
  }
  return 0;
}

/** Whether an Accept-Encoding header takes gzip (`gzip;q=0`, or `*;q=0` without gzip, refuses it). */
export function acceptsGzip(acceptEncoding: string | undefined): boolean {
  const listed = weights(acceptEncoding);
  const gzip = listed.find((entry) => entry.value === 'gzip' || entry.value === 'x-gzip');
  const any = listed.find((entry) => entry.value === '*');
  return ((gzip ?? any)?.q ?? 0) > 0;
}

/** What a person reads when an image upload is refused: by status, with the server's detail. */
export function imageUploadMessage(status: number, detail?: string): string {
  switch (status) {
    case 413:
      return 'This file is too large: an image may be at most 5 MB.';
    case 415:
      return 'This file is not an image Ordo accepts: upload a JPEG, PNG or WebP picture.';
    case 422:
      return `This image has too many pixels to process safely${detail ? ` (${detail})` : ''}.`;
    default:
      return detail ?? 'The image could not be uploaded.';
  }
}

export const MAX_IMAGE_BYTES = 5 * 1024 * 1024;

/** A stock adjustment as typed: a whole, non-zero number, signed ("-3" takes three away). */
export function parseStockDelta(
  input: string,
): { ok: true; delta: number } | { ok: false; message: string } {
  const text = input.trim().replace(/^\u2212/, '-');
  if (!/^[+-]?\d{1,7}$/.test(text)) {
    return { ok: false, message: 'Enter a whole number, such as 10 or -3' };
  }
  const delta = Number(text);
  if (delta === 0) return { ok: false, message: 'Enter a change other than zero' };
  return { ok: true, delta };
}

/** The image ids after moving one of them by `by` places (−1 earlier, +1 later). */
export function moveImage(ids: string[], id: string, by: -1 | 1): string[] {
  const from = ids.indexOf(id);
  const to = from + by;
  if (from < 0 || to < 0 || to >= ids.length) return ids;
  const next = [...ids];
  next.splice(from, 1);
  next.splice(to, 0, id);
  return next;
}

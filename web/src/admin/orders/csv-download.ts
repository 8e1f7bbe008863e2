import { useMutation } from '@tanstack/react-query';
import { sessionFetch } from '../../api/client';
import { isProblem, ProblemError } from '../../api/problem';

/**
 * Downloads the CSV export. The API needs the Authorization header, which a plain link cannot
 * send, so the file is fetched with the session (refreshing an expired token) and handed to the
 * browser as a Blob download under the server's file name.
 */
export async function downloadCsv(path: string): Promise<string> {
  const response = await sessionFetch(new Request(path, { headers: { accept: 'text/csv' } }));
  if (!response.ok) {
    const body: unknown = await response.json().catch(() => undefined);
    throw new ProblemError(
      isProblem(body) ? body : { title: 'Export failed', status: response.status, code: 'UNKNOWN' },
    );
  }
  const name =
    /filename="([^"]+)"/.exec(response.headers.get('content-disposition') ?? '')?.[1] ??
    'orders.csv';
  const url = URL.createObjectURL(await response.blob());
  const link = document.createElement('a');
  link.href = url;
  link.download = name;
  document.body.append(link);
  link.click();
  link.remove();
  setTimeout(() => URL.revokeObjectURL(url), 60_000);
  return name;
}

/** The download as a mutation, for its pending and error state (it changes nothing). */
export function useCsvDownload() {
  return useMutation({ mutationFn: downloadCsv });
}

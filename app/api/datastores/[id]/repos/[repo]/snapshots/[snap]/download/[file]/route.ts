import { downloadHeaders, downloadStoredFile, resolveSnapshot } from '@/lib/catalog';
import { parseParam } from '@/lib/schemas/params';
import { guarded, notFoundResponse } from '@/app/api/_lib/handler';
import {
  FileNameParam,
  snapshotParams,
  type SnapshotParams,
} from '@/app/api/datastores/[id]/repos/[repo]/snapshots/_params';

export const dynamic = 'force-dynamic';

/** A file of the snapshot byte for byte as stored, streamed from `restic dump`. */
export const GET = guarded<SnapshotParams & { file: string }>(
  'user',
  'snapshot.download',
  async (viewer, params, request) => {
    const p = snapshotParams(params);
    const file = parseParam(FileNameParam, params.file);
    if (!p || file === undefined) return notFoundResponse();
    const ref = await resolveSnapshot(viewer, p.id, p.repo, p.snap, request.signal);
    const d = await downloadStoredFile(ref, file, { holder: viewer.username, signal: request.signal });
    return new Response(d.body, { headers: downloadHeaders(d.fileName, d.size, d.contentType) });
  },
);

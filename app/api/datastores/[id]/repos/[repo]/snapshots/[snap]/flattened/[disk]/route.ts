import { downloadFlattenedDisk, downloadHeaders, resolveSnapshot } from '@/lib/catalog';
import { parseParam } from '@/lib/schemas/params';
import { guarded, notFoundResponse } from '@/app/api/_lib/handler';
import {
  DiskIdParam,
  snapshotParams,
  type SnapshotParams,
} from '@/app/api/datastores/[id]/repos/[repo]/snapshots/_params';

export const dynamic = 'force-dynamic';

/** One disk of the increment chain up to this snapshot, merged into one standalone qcow2. */
export const GET = guarded<SnapshotParams & { disk: string }>(
  'user',
  'snapshot.download-flattened',
  async (viewer, params, request) => {
    const p = snapshotParams(params);
    const disk = parseParam(DiskIdParam, params.disk);
    if (!p || disk === undefined) return notFoundResponse();
    const ref = await resolveSnapshot(viewer, p.id, p.repo, p.snap, request.signal);
    if (!ref.snapshot.disks.some((d) => d.diskId === disk)) return notFoundResponse();
    // A chain with a missing link is a 409 with its message (ChainBroken), like every expected failure.
    const d = await downloadFlattenedDisk(ref, disk, { holder: viewer.username, signal: request.signal });
    return new Response(d.body, { headers: downloadHeaders(d.fileName, d.size, d.contentType) });
  },
);

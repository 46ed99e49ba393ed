import { downloadHeaders, downloadVmXml, resolveSnapshot } from '@/lib/catalog';
import { guarded, notFoundResponse } from '@/app/api/_lib/handler';
import { snapshotParams, type SnapshotParams } from '@/app/api/datastores/[id]/repos/[repo]/snapshots/_params';

export const dynamic = 'force-dynamic';

/** vm.xml decoded from base64, as a file. */
export const GET = guarded<SnapshotParams>('user', 'snapshot.vm-xml', async (viewer, params, request) => {
  const p = snapshotParams(params);
  if (!p) return notFoundResponse();
  const ref = await resolveSnapshot(viewer, p.id, p.repo, p.snap, request.signal);
  const d = await downloadVmXml(ref, request.signal);
  return new Response(d.body, { headers: downloadHeaders(d.fileName, d.size, d.contentType) });
});

import type { Metadata } from 'next';
import { notFound } from 'next/navigation';
import { getViewer, requireViewer } from '@/lib/auth';
import { getConfig } from '@/lib/config';
import { visibleJob, visibleJobLog } from '@/lib/jobs';
import { IdParam } from '@/lib/schemas/ids';
import { parseParam } from '@/lib/schemas/params';
import { JobDetail } from '../_components/job-detail';

type Props = { params: Promise<{ id: string }> };

export async function generateMetadata({ params }: Props): Promise<Metadata> {
  const id = parseParam(IdParam, (await params).id);
  if (id === undefined) return { title: 'Not found' };
  // The job's own title names its datastores as OpenNebula does ("RBackups (100)"); only a viewer
  // who may see the job gets it.
  const viewer = await getViewer();
  const job = viewer ? visibleJob(viewer, id) : undefined;
  return { title: job ? `Job ${id} · ${job.title}` : `Job ${id}` };
}

export default async function JobPage({ params }: Props) {
  const id = parseParam(IdParam, (await params).id);
  if (id === undefined) notFound();
  const viewer = await requireViewer(`/jobs/${id}`);
  const job = visibleJob(viewer, id);
  if (!job) notFound();
  return (
    <JobDetail initial={{ job, log: visibleJobLog(viewer, job.id) ?? [] }} sunstoneUrl={getConfig().sunstoneUrl} />
  );
}

import type { Metadata } from 'next';
import { notFound } from 'next/navigation';
import { requireViewer } from '@/lib/auth';
import { visibleJob, visibleJobLog } from '@/lib/jobs';
import { JobDetail } from '../_components/job-detail';

type Props = { params: Promise<{ id: string }> };

export async function generateMetadata({ params }: Props): Promise<Metadata> {
  return { title: `Job ${(await params).id}` };
}

export default async function JobPage({ params }: Props) {
  const raw = (await params).id;
  if (!/^\d{1,9}$/.test(raw)) notFound();
  const viewer = await requireViewer(`/jobs/${raw}`);
  const job = visibleJob(viewer, Number(raw));
  if (!job) notFound();
  return <JobDetail initial={{ job, log: visibleJobLog(viewer, job.id) ?? [] }} />;
}

import 'server-only';
import { z } from 'zod';
import { enumName, HOST_STATES, type Cluster, type Host } from '../models';
import { parseXmlRoot, validateXml, xContainer, xIds, xInt, xList, xTemplate, xText } from '../xml';

// CLUSTER and HOST (share/doc/xsd/cluster.xsd, host.xsd): identity, membership and state only.

export const OneClusterXmlSchema = z.object({
  ID: xInt,
  NAME: xText,
  HOSTS: xIds,
  DATASTORES: xIds,
  VNETS: xIds,
  TEMPLATE: xTemplate,
});
export type OneClusterXml = z.output<typeof OneClusterXmlSchema>;

export const OneHostXmlSchema = z.object({
  ID: xInt,
  NAME: xText,
  STATE: xInt,
  IM_MAD: xText.optional(),
  VM_MAD: xText.optional(),
  CLUSTER_ID: xInt,
  CLUSTER: xText.optional(),
  VMS: xIds,
  TEMPLATE: xTemplate,
});
export type OneHostXml = z.output<typeof OneHostXmlSchema>;

const ClusterPoolSchema = xContainer({ CLUSTER: xList(OneClusterXmlSchema) });
const HostPoolSchema = xContainer({ HOST: xList(OneHostXmlSchema) });

export function reshapeCluster(raw: OneClusterXml): Cluster {
  return {
    id: raw.ID,
    name: raw.NAME,
    hostIds: raw.HOSTS,
    datastoreIds: raw.DATASTORES,
    vnetIds: raw.VNETS,
    template: raw.TEMPLATE.attributes,
  };
}

export function reshapeHost(raw: OneHostXml): Host {
  return {
    id: raw.ID,
    name: raw.NAME,
    state: enumName(HOST_STATES, raw.STATE),
    imMad: raw.IM_MAD ?? '',
    vmMad: raw.VM_MAD ?? '',
    clusterId: raw.CLUSTER_ID,
    clusterName: raw.CLUSTER ?? '',
    vmIds: raw.VMS,
    template: raw.TEMPLATE.attributes,
  };
}

/** `onecluster list -x` output. */
export async function parseClusterPool(text: string): Promise<Cluster[]> {
  const pool = validateXml(ClusterPoolSchema, await parseXmlRoot(text, 'CLUSTER_POOL'), 'CLUSTER_POOL');
  return pool.CLUSTER.map(reshapeCluster);
}

/** `onehost list -x` output. */
export async function parseHostPool(text: string): Promise<Host[]> {
  const pool = validateXml(HostPoolSchema, await parseXmlRoot(text, 'HOST_POOL'), 'HOST_POOL');
  return pool.HOST.map(reshapeHost);
}

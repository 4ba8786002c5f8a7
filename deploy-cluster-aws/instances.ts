/**
 * Launching the cluster's instances: one RunInstances call for all of them,
 * each carrying the cluster tag from the start (so a half-finished
 * deployment can still be found and cleaned up), then a Name tag per node.
 */
import type { Filter, RunInstancesCommandInput, Tag } from '@aws-sdk/client-ec2';
import { getLogger } from '../logging/logger';
import type { DeployConfig } from './deploy-conf';
import type { Ec2 } from './ec2';
import { DeployError } from './errors';

/** The tag key that marks every resource of one deployment; its value is the deployment's tag. */
export const CLUSTER_TAG_KEY = 'bigchaindb-cluster';

/** Attached as /dev/sdp, as the original did (the kernel may name it xvdp or nvme…). */
export const EBS_DEVICE_NAME = '/dev/sdp';

const log = getLogger('deploy');

export function clusterTag(tag: string): Tag {
  return { Key: CLUSTER_TAG_KEY, Value: tag };
}

export function clusterFilter(tag: string): Filter[] {
  return [{ Name: `tag:${CLUSTER_TAG_KEY}`, Values: [tag] }];
}

/** `BDB-servers-20161121-022729` (UTC), like the original's `BDB-servers-11-21@02:27` but sortable and unique to the second. */
export function defaultTag(what: string, now: Date = new Date()): string {
  const stamp = now.toISOString().replace(/[-:]/g, '').replace('T', '-').slice(0, 15);
  return `BDB-${what}-${stamp}`;
}

export function nodeName(tag: string, index: number): string {
  return `${tag}-node-${index}`;
}

export function runInstancesInput(config: DeployConfig, tag: string): RunInstancesCommandInput {
  const group = config.SECURITY_GROUP;
  return {
    ImageId: config.IMAGE_ID,
    InstanceType: config.INSTANCE_TYPE as RunInstancesCommandInput['InstanceType'],
    MinCount: config.NUM_NODES,
    MaxCount: config.NUM_NODES,
    KeyName: config.SSH_KEY_NAME,
    ...(/^sg-[0-9a-f]+$/.test(group) ? { SecurityGroupIds: [group] } : { SecurityGroups: [group] }),
    ...(config.USING_EBS
      ? {
        // A test cluster's data volume goes with its instance, so terminating the cluster stops all its costs.
        BlockDeviceMappings: [{ DeviceName: EBS_DEVICE_NAME, Ebs: { VolumeSize: config.EBS_VOLUME_SIZE, VolumeType: 'gp2', DeleteOnTermination: true } }],
        EbsOptimized: config.EBS_OPTIMIZED,
      }
      : {}),
    TagSpecifications: [
      { ResourceType: 'instance', Tags: [clusterTag(tag)] },
      ...(config.USING_EBS ? [{ ResourceType: 'volume' as const, Tags: [clusterTag(tag)] }] : []),
    ],
  };
}

/** Instance ids carrying the cluster tag `tag`, in every state but terminated. */
export async function clusterInstanceIds(ec2: Ec2, tag: string): Promise<string[]> {
  const found = await ec2.describeInstances({
    Filters: [...clusterFilter(tag), { Name: 'instance-state-name', Values: ['pending', 'running', 'stopping', 'stopped'] }],
  });
  return (found.Reservations ?? []).flatMap((r) => r.Instances ?? []).map((i) => i.InstanceId).filter((id): id is string => id !== undefined);
}

/** Refuses a tag already in use: two clusters under one tag could not be told apart when cleaning up. */
export async function ensureTagUnused(ec2: Ec2, tag: string): Promise<void> {
  const existing = await clusterInstanceIds(ec2, tag);
  if (existing.length > 0) {
    throw new DeployError(`${existing.length} instances already carry the tag ${CLUSTER_TAG_KEY}=${tag} (${existing.join(', ')}): pick another --tag or terminate them`);
  }
}

/** Launches and names the nodes, waits until they run; returns their ids in node order. */
export async function launchInstances(ec2: Ec2, config: DeployConfig, tag: string): Promise<string[]> {
  log.info(`launching ${config.NUM_NODES} ${config.INSTANCE_TYPE} instances of ${config.IMAGE_ID} tagged ${CLUSTER_TAG_KEY}=${tag}`);
  const reservation = await ec2.runInstances(runInstancesInput(config, tag));
  const ids = [...(reservation.Instances ?? [])]
    .sort((a, b) => (a.AmiLaunchIndex ?? 0) - (b.AmiLaunchIndex ?? 0))
    .map((i) => i.InstanceId)
    .filter((id): id is string => id !== undefined);
  if (ids.length !== config.NUM_NODES) throw new DeployError(`RunInstances started ${ids.length} instances, not ${config.NUM_NODES} (tag ${tag})`);
  for (const [index, id] of ids.entries()) {
    await ec2.createTags({ Resources: [id], Tags: [{ Key: 'Name', Value: nodeName(tag, index) }] });
  }
  log.info(`waiting until ${ids.join(', ')} are running`);
  await ec2.waitUntilRunning(ids);
  return ids;
}

/** Each instance's public DNS name (its public IP address where it has none), in the order of `ids`. */
export async function publicNames(ec2: Ec2, ids: readonly string[]): Promise<string[]> {
  const found = await ec2.describeInstances({ InstanceIds: [...ids] });
  const instances = (found.Reservations ?? []).flatMap((r) => r.Instances ?? []);
  return ids.map((id) => {
    const instance = instances.find((i) => i.InstanceId === id);
    const name = instance?.PublicDnsName || instance?.PublicIpAddress;
    if (!name) throw new DeployError(`instance ${id} has neither a public DNS name nor a public IP address`);
    return name;
  });
}

/** Terminates every instance of the cluster `tag`; returns their ids. */
export async function terminateCluster(ec2: Ec2, tag: string): Promise<string[]> {
  const ids = await clusterInstanceIds(ec2, tag);
  if (ids.length > 0) await ec2.terminateInstances({ InstanceIds: ids });
  return ids;
}

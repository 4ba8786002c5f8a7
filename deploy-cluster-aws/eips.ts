/**
 * Elastic IP addresses: one per node, so each node keeps its public name for
 * as long as the address is held, and giving them back (release_eips). An
 * address costs money while it is not associated with a running instance.
 */
import type { Address } from '@aws-sdk/client-ec2';
import { getLogger } from '../logging/logger';
import type { Ec2 } from './ec2';
import { DeployError } from './errors';
import { clusterFilter, clusterInstanceIds, clusterTag, nodeName } from './instances';
import type { Printer } from './output';

export interface ElasticIp {
  readonly instanceId: string;
  readonly allocationId: string;
  readonly publicIp: string;
}

const log = getLogger('deploy');

/**
 * Allocates an address for each instance (tagged with the cluster tag, so
 * release_eips finds it even after its instance is gone) and associates it.
 */
export async function assignElasticIps(ec2: Ec2, instanceIds: readonly string[], tag: string): Promise<ElasticIp[]> {
  const assigned: ElasticIp[] = [];
  for (const [index, instanceId] of instanceIds.entries()) {
    const address = await ec2.allocateAddress({
      Domain: 'vpc',
      TagSpecifications: [{ ResourceType: 'elastic-ip', Tags: [clusterTag(tag), { Key: 'Name', Value: nodeName(tag, index) }] }],
    });
    if (!address.AllocationId || !address.PublicIp) throw new DeployError(`AllocateAddress for ${instanceId} answered without an allocation id or address`);
    await ec2.associateAddress({ InstanceId: instanceId, AllocationId: address.AllocationId });
    log.info(`elastic IP ${address.PublicIp} (${address.AllocationId}) associated with ${instanceId}`);
    assigned.push({ instanceId, allocationId: address.AllocationId, publicIp: address.PublicIp });
  }
  return assigned;
}

/** The addresses of one deployment, or every allocated address that no instance uses (the original's behaviour). */
export type ReleaseSelection = { readonly tag: string } | { readonly unassociated: true };

/** Disassociates (where needed) and releases the selected addresses; prints and returns them. */
export async function releaseElasticIps(ec2: Ec2, selection: ReleaseSelection, print: Printer): Promise<Address[]> {
  const addresses = 'tag' in selection ? await clusterAddresses(ec2, selection.tag) : await unassociatedAddresses(ec2);
  const described = 'tag' in selection ? `of the cluster ${selection.tag}` : 'not associated with an instance';
  print(`You have ${addresses.length} allocated elastic IPs ${described}`);
  for (const [index, address] of addresses.entries()) {
    print(`${index}: Releasing ${address.PublicIp ?? '?'} (${address.AllocationId ?? `Domain = ${address.Domain ?? '?'}`})`);
    if (address.AssociationId) await ec2.disassociateAddress({ AssociationId: address.AssociationId });
    await ec2.releaseAddress(address.AllocationId ? { AllocationId: address.AllocationId } : { PublicIp: address.PublicIp });
  }
  return addresses;
}

/** Addresses tagged with the cluster tag, and those associated with the cluster's instances, each once. */
async function clusterAddresses(ec2: Ec2, tag: string): Promise<Address[]> {
  const tagged = (await ec2.describeAddresses({ Filters: clusterFilter(tag) })).Addresses ?? [];
  const instanceIds = await clusterInstanceIds(ec2, tag);
  const attached = instanceIds.length === 0 ? [] : (await ec2.describeAddresses({ Filters: [{ Name: 'instance-id', Values: instanceIds }] })).Addresses ?? [];
  const byKey = new Map<string, Address>();
  for (const address of [...tagged, ...attached]) byKey.set(address.AllocationId ?? address.PublicIp ?? '', address);
  return [...byKey.values()];
}

async function unassociatedAddresses(ec2: Ec2): Promise<Address[]> {
  const all = (await ec2.describeAddresses({})).Addresses ?? [];
  return all.filter((a) => !a.AssociationId && !a.InstanceId && !a.NetworkInterfaceId);
}

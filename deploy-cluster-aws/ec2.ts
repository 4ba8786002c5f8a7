/**
 * The EC2 calls the deployer makes, behind one interface with two faces: the
 * AWS SDK client, and a dry run that prints each call (operation and input)
 * and answers with made-up ids, so the rest of a deployment can be shown
 * without touching AWS.
 */
import {
  AllocateAddressCommand, AssociateAddressCommand, CreateTagsCommand, DescribeAddressesCommand, DescribeInstancesCommand,
  DisassociateAddressCommand, ReleaseAddressCommand, RunInstancesCommand, TerminateInstancesCommand, waitUntilInstanceRunning,
  type AllocateAddressCommandInput, type AllocateAddressResult, type AssociateAddressCommandInput, type CreateTagsCommandInput,
  type DescribeAddressesCommandInput, type DescribeAddressesResult, type DescribeInstancesCommandInput, type DescribeInstancesResult,
  type DisassociateAddressCommandInput, type EC2Client, type ReleaseAddressCommandInput, type Reservation,
  type RunInstancesCommandInput, type TerminateInstancesCommandInput,
} from '@aws-sdk/client-ec2';
import { getLogger } from '../logging/logger';
import { dryRunLine, type Printer } from './output';

export interface Ec2 {
  describeInstances(input: DescribeInstancesCommandInput): Promise<DescribeInstancesResult>;
  runInstances(input: RunInstancesCommandInput): Promise<Reservation>;
  createTags(input: CreateTagsCommandInput): Promise<unknown>;
  /** Resolves once every instance is running; rejects if one cannot get there in time. */
  waitUntilRunning(instanceIds: readonly string[]): Promise<void>;
  allocateAddress(input: AllocateAddressCommandInput): Promise<AllocateAddressResult>;
  associateAddress(input: AssociateAddressCommandInput): Promise<unknown>;
  describeAddresses(input: DescribeAddressesCommandInput): Promise<DescribeAddressesResult>;
  disassociateAddress(input: DisassociateAddressCommandInput): Promise<unknown>;
  releaseAddress(input: ReleaseAddressCommandInput): Promise<unknown>;
  terminateInstances(input: TerminateInstancesCommandInput): Promise<unknown>;
}

const log = getLogger('deploy');

/** The real calls, through `client` (region and credentials from the SDK's usual chain). */
export function sdkEc2(client: EC2Client, maxWaitSeconds = 600): Ec2 {
  const traced = <T>(operation: string, input: unknown, call: () => Promise<T>): Promise<T> => {
    log.debug(`ec2 ${operation} ${JSON.stringify(input)}`);
    return call();
  };
  return {
    describeInstances: (input) => traced('DescribeInstances', input, () => client.send(new DescribeInstancesCommand(input))),
    runInstances: (input) => traced('RunInstances', input, () => client.send(new RunInstancesCommand(input))),
    createTags: (input) => traced('CreateTags', input, () => client.send(new CreateTagsCommand(input))),
    waitUntilRunning: async (instanceIds) => {
      await traced('waitUntilInstanceRunning', instanceIds, () => waitUntilInstanceRunning({ client, maxWaitTime: maxWaitSeconds }, { InstanceIds: [...instanceIds] }));
    },
    allocateAddress: (input) => traced('AllocateAddress', input, () => client.send(new AllocateAddressCommand(input))),
    associateAddress: (input) => traced('AssociateAddress', input, () => client.send(new AssociateAddressCommand(input))),
    describeAddresses: (input) => traced('DescribeAddresses', input, () => client.send(new DescribeAddressesCommand(input))),
    disassociateAddress: (input) => traced('DisassociateAddress', input, () => client.send(new DisassociateAddressCommand(input))),
    releaseAddress: (input) => traced('ReleaseAddress', input, () => client.send(new ReleaseAddressCommand(input))),
    terminateInstances: (input) => traced('TerminateInstances', input, () => client.send(new TerminateInstancesCommand(input))),
  };
}

/**
 * Prints every call instead of making it. Lookups answer "nothing found";
 * launches and allocations answer with ids and addresses that cannot be
 * real (i-dryrun…, 192.0.2.x from the documentation range).
 */
export function dryRunEc2(print: Printer): Ec2 {
  let launched = 0;
  let allocated = 0;
  const show = (operation: string, input: unknown) => print(dryRunLine(`ec2 ${operation}`, input));
  return {
    describeInstances: async (input) => {
      show('DescribeInstances', input);
      const ids = input.InstanceIds ?? [];
      return { Reservations: ids.length === 0 ? [] : [{ Instances: ids.map((id) => ({ InstanceId: id, State: { Name: 'running' }, PublicDnsName: `${id}.dry-run.invalid` })) }] };
    },
    runInstances: async (input) => {
      show('RunInstances', input);
      const count = input.MaxCount ?? 1;
      return { Instances: Array.from({ length: count }, (_, at) => ({ InstanceId: `i-dryrun${launched++}`, AmiLaunchIndex: at })) };
    },
    createTags: async (input) => show('CreateTags', input),
    waitUntilRunning: async (instanceIds) => show('waitUntilInstanceRunning', { InstanceIds: instanceIds }),
    allocateAddress: async (input) => {
      show('AllocateAddress', input);
      allocated += 1;
      return { AllocationId: `eipalloc-dryrun${allocated}`, PublicIp: `192.0.2.${allocated}`, Domain: 'vpc' };
    },
    associateAddress: async (input) => show('AssociateAddress', input),
    describeAddresses: async (input) => {
      show('DescribeAddresses', input);
      return { Addresses: [] };
    },
    disassociateAddress: async (input) => show('DisassociateAddress', input),
    releaseAddress: async (input) => show('ReleaseAddress', input),
    terminateInstances: async (input) => show('TerminateInstances', input),
  };
}

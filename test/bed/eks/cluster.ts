// EKS clusters on the bed: CreateCluster in moto, then the cluster's endpoint and CA set to the
// bed's kube-apiserver, and its name added to those the token webhook serves. DescribeCluster
// then leads an action to the real apiserver, which accepts the action's own EKS token.
import { CreateClusterCommand, EKSClient } from '@aws-sdk/client-eks';
import type { BedEks, MotoPart } from '../types.ts';
import type { TokenWebhook } from './webhook.ts';

export function bedEks(moto: MotoPart, webhook: TokenWebhook, apiserver: { server: string; caData: string }): BedEks {
  return {
    stsEndpoint: moto.endpoint,
    webhookUrl: webhook.url,
    async createCluster(name, options = {}) {
      const account = options.account ?? moto.defaultAccount;
      const eks = new EKSClient({ ...moto.clientConfig(account), maxAttempts: 1 });
      try {
        await eks.send(
          new CreateClusterCommand({
            name,
            roleArn: `arn:aws:iam::${account}:role/bed-eks-cluster`,
            resourcesVpcConfig: { subnetIds: ['subnet-bed0a', 'subnet-bed0b'] },
          }),
        );
      } finally {
        eks.destroy();
      }
      const pointed = await moto.control<{ name: string; arn: string; endpoint: string }>('eks/cluster', {
        name,
        account,
        region: moto.region,
        endpoint: apiserver.server,
        caData: Buffer.from(apiserver.caData).toString('base64'),
      });
      webhook.clusters.add(name);
      return pointed;
    },
    reviews: () => webhook.reviews,
    mapIdentity(arn, mapping) {
      webhook.mappings.set(arn, mapping);
    },
  };
}

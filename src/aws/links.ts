/** AWS console URLs for findings (the console opens in whichever account the reader is signed in to). */
const consoleBase = (region: string): string => `https://${region}.console.aws.amazon.com`;

export function ebsVolumeUrl(region: string, volumeId: string): string {
  return `${consoleBase(region)}/ec2/home?region=${region}#VolumeDetails:volumeId=${encodeURIComponent(volumeId)}`;
}

export function elasticIpUrl(region: string, allocationId: string): string {
  return `${consoleBase(region)}/ec2/home?region=${region}#ElasticIpDetails:AllocationId=${encodeURIComponent(allocationId)}`;
}

export function lambdaMonitoringUrl(region: string, functionName: string): string {
  return `${consoleBase(region)}/lambda/home?region=${region}#/functions/${encodeURIComponent(functionName)}?tab=monitoring`;
}

/** CloudWatch metrics browser filtered to the function's AWS/Lambda metrics (the console's own `*xx` escaping). */
export function lambdaMetricsUrl(region: string, functionName: string): string {
  const query = `~'*7bAWS*2fLambda*2cFunctionName*7d*20${encodeURIComponent(functionName)}`;
  return `${consoleBase(region)}/cloudwatch/home?region=${region}#metricsV2:graph=~();query=${query}`;
}

import { Client } from 'minio';

/** An S3 client from the platform's S3_* settings (any S3-compatible server: versitygw, MinIO, AWS). */
export function createS3Client(config: {
  endpoint: string;
  region: string;
  accessKey: string;
  secretKey: string;
  /** Multipart part size for uploads of unknown or large size. */
  partSize?: number;
}): Client {
  const endpoint = new URL(config.endpoint);
  return new Client({
    endPoint: endpoint.hostname,
    port: Number(endpoint.port) || (endpoint.protocol === 'https:' ? 443 : 80),
    useSSL: endpoint.protocol === 'https:',
    accessKey: config.accessKey,
    secretKey: config.secretKey,
    region: config.region,
    ...(config.partSize ? { partSize: config.partSize } : {}),
  });
}

/** Creates the bucket unless it exists. */
export async function ensureBucket(s3: Client, bucket: string, region: string): Promise<void> {
  if (!(await s3.bucketExists(bucket))) await s3.makeBucket(bucket, region);
}

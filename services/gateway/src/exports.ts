import { Client } from 'minio';

/** Report files in S3, handed out as time-limited links. */
export async function createExportStore(config: {
  endpoint: string;
  region: string;
  accessKey: string;
  secretKey: string;
  bucket: string;
}) {
  const endpoint = new URL(config.endpoint);
  const s3 = new Client({
    endPoint: endpoint.hostname,
    port: Number(endpoint.port) || (endpoint.protocol === 'https:' ? 443 : 80),
    useSSL: endpoint.protocol === 'https:',
    accessKey: config.accessKey,
    secretKey: config.secretKey,
    region: config.region,
  });
  if (!(await s3.bucketExists(config.bucket))) await s3.makeBucket(config.bucket, config.region);
  return {
    /** Stores the file and returns a link valid for `ttlSeconds`. */
    async put(
      key: string,
      body: Buffer,
      contentType: string,
      ttlSeconds = 900,
    ): Promise<{ key: string; url: string; expiresAt: string }> {
      await s3.putObject(config.bucket, key, body, body.length, { 'Content-Type': contentType });
      const url = await s3.presignedGetObject(config.bucket, key, ttlSeconds);
      return { key, url, expiresAt: new Date(Date.now() + ttlSeconds * 1000).toISOString() };
    },
    ping: () => s3.bucketExists(config.bucket),
  };
}

export type ExportStore = Awaited<ReturnType<typeof createExportStore>>;

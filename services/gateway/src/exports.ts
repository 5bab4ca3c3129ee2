import { createS3Client, ensureBucket } from '@proctor/pipeline';

/** Report files and interview recordings in S3, handed out as time-limited links. */
export async function createExportStore(config: {
  endpoint: string;
  region: string;
  accessKey: string;
  secretKey: string;
  bucket: string;
  recordingsBucket: string;
}) {
  const s3 = createS3Client(config);
  await ensureBucket(s3, config.bucket, config.region);
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
    /** A link to an interview recording (written by the verifier), valid for an hour. */
    recordingUrl: (key: string, ttlSeconds = 3600) =>
      s3.presignedGetObject(config.recordingsBucket, key, ttlSeconds),
    ping: () => s3.bucketExists(config.bucket),
  };
}

export type ExportStore = Awaited<ReturnType<typeof createExportStore>>;

import { randomBytes } from 'node:crypto';
import { AppError } from '../../core/errors.ts';

/**
 * The uploads of the privacy capability, checked before WeChat is called:
 * - uploadmedia (audit materials for submit_audit preview_info): multipart `media`; images
 *   PNG, JPEG or GIF of at most 2 MB, videos MP4 of at most 10 MB; the answer's type follows
 *   the file. Doc openApi/miniprogram-management/code-management/api_uploadmediatocodeaudit.
 * - uploadprivacyextfile (a custom privacy guide): multipart `file`, a .txt file of at most
 *   100 KB. Doc Third-party_Platforms/2.0/api/privacy_config/upload_privacy_exfile.
 */
export const AUDIT_IMAGE_MAX_BYTES = 2 * 1024 * 1024;
export const AUDIT_VIDEO_MAX_BYTES = 10 * 1024 * 1024;
export const PRIVACY_FILE_MAX_BYTES = 100 * 1024;

export interface FileInput {
  filename?: string;
  /** The file, base64-encoded. */
  content_base64: string;
}

type Format = 'jpeg' | 'png' | 'gif' | 'mp4';
const EXT: Record<Format, string> = { jpeg: 'jpg', png: 'png', gif: 'gif', mp4: 'mp4' };
const CONTENT_TYPE: Record<Format, string> = {
  jpeg: 'image/jpeg',
  png: 'image/png',
  gif: 'image/gif',
  mp4: 'video/mp4',
};

function refuse(field: string, reason: string, message: string, params: object = {}): never {
  throw new AppError('bad_request', message, {
    details: { field, params: { reason, field, ...params } },
  });
}

function sniff(bytes: Buffer): Format | 'other' | undefined {
  if (bytes.subarray(0, 3).equals(Buffer.from([0xff, 0xd8, 0xff]))) return 'jpeg';
  if (bytes.subarray(0, 8).equals(Buffer.from('89504e470d0a1a0a', 'hex'))) return 'png';
  const head = bytes.subarray(0, 6).toString('latin1');
  if (head === 'GIF87a' || head === 'GIF89a') return 'gif';
  if (bytes.subarray(4, 8).toString('latin1') === 'ftyp') return 'mp4';
  if (head.startsWith('BM') || head.startsWith('%PDF') || head.startsWith('PK')) return 'other';
  return undefined;
}

function decode(input: FileInput): Buffer {
  if (
    typeof input.content_base64 !== 'string' ||
    !/^[A-Za-z0-9+/]*={0,2}$/.test(input.content_base64)
  ) {
    refuse('content_base64', 'media_not_base64', 'content_base64 is not base64');
  }
  const bytes = Buffer.from(input.content_base64, 'base64');
  if (bytes.length === 0) refuse('content_base64', 'media_empty', 'the file is empty');
  return bytes;
}

/** An audit material, checked: its type (image or video) follows its format. */
export function checkAuditMedia(input: FileInput): {
  type: 'image' | 'video';
  bytes: Buffer;
  format: Format;
} {
  const bytes = decode(input);
  const format = sniff(bytes);
  if (format === undefined || format === 'other') {
    refuse(
      'content_base64',
      'media_format_invalid',
      'an audit material must be a PNG, JPEG or GIF image or an MP4 video',
      { format: 'unknown' },
    );
  }
  const type = format === 'mp4' ? 'video' : 'image';
  const max = type === 'video' ? AUDIT_VIDEO_MAX_BYTES : AUDIT_IMAGE_MAX_BYTES;
  if (bytes.length > max) {
    refuse(
      'content_base64',
      'media_too_large',
      `the ${type} has ${bytes.length} bytes; WeChat takes at most ${max}`,
      { type, size: bytes.length, max },
    );
  }
  return { type, bytes, format };
}

/** A custom privacy guide, checked: a text file (.txt) of at most 100 KB. */
export function checkPrivacyFile(input: FileInput): Buffer {
  const bytes = decode(input);
  if (input.filename !== undefined && !/\.txt$/i.test(input.filename)) {
    refuse('filename', 'privacy_file_type_invalid', 'the privacy guide must be a .txt file');
  }
  if (bytes.includes(0) || sniff(bytes) !== undefined) {
    refuse('content_base64', 'privacy_file_type_invalid', 'the privacy guide must be a text file');
  }
  if (bytes.length > PRIVACY_FILE_MAX_BYTES) {
    refuse(
      'content_base64',
      'privacy_file_too_large',
      `the privacy guide has ${bytes.length} bytes; WeChat takes at most ${PRIVACY_FILE_MAX_BYTES}`,
      { size: bytes.length, max: PRIVACY_FILE_MAX_BYTES },
    );
  }
  return bytes;
}

/** A multipart/form-data body with one file part. */
export function multipartFile(
  field: string,
  filename: string,
  contentType: string,
  bytes: Buffer,
): { body: Buffer; contentType: string } {
  const boundary = `----openwx${randomBytes(12).toString('hex')}`;
  const name = filename.replace(/["\r\n]/g, '_');
  return {
    body: Buffer.concat([
      Buffer.from(
        `--${boundary}\r\nContent-Disposition: form-data; name="${field}"; filename="${name}"\r\nContent-Type: ${contentType}\r\n\r\n`,
      ),
      bytes,
      Buffer.from(`\r\n--${boundary}--\r\n`),
    ]),
    contentType: `multipart/form-data; boundary=${boundary}`,
  };
}

/** The file name sent for an audit material (WeChat refuses names without an extension). */
export function mediaFilename(format: Format): string {
  return `material.${EXT[format]}`;
}

export function mediaContentType(format: Format): string {
  return CONTENT_TYPE[format];
}

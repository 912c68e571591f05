import { randomBytes } from 'node:crypto';
import { AppError } from '../../core/errors.ts';

/**
 * Filing media as WeChat takes them through upload_icp_media (WxJava WxOpenUploadIcpMediaParam:
 * multipart fields type, certificate_type, icp_order_field and the file as `media`). openwx
 * checks what WeChat would refuse before sending: the type, the format (images as accepted for
 * filing materials by submit_auth_and_icp: jpg, jpeg, bmp, gif, png; videos as get_icp_media
 * returns them: mp4) and the size (the limits documented for the wxa media uploads: image 2 MB,
 * video 10 MB; the upload_icp_media page's notes as stored do not state them).
 */
export const IMAGE_MAX_BYTES = 2 * 1024 * 1024;
export const VIDEO_MAX_BYTES = 10 * 1024 * 1024;

export type MediaType = 'image' | 'video';
export type MediaFormat = 'jpeg' | 'png' | 'gif' | 'bmp' | 'mp4';

export interface MediaInput {
  type: string;
  icp_order_field: string;
  certificate_type?: number;
  filename?: string;
  /** The file, base64-encoded. */
  content_base64: string;
}

export function sniffFormat(bytes: Buffer): MediaFormat | undefined {
  if (bytes.subarray(0, 3).equals(Buffer.from([0xff, 0xd8, 0xff]))) return 'jpeg';
  if (bytes.subarray(0, 8).equals(Buffer.from('89504e470d0a1a0a', 'hex'))) return 'png';
  const head = bytes.subarray(0, 6).toString('latin1');
  if (head === 'GIF87a' || head === 'GIF89a') return 'gif';
  if (head.startsWith('BM')) return 'bmp';
  if (bytes.subarray(4, 8).toString('latin1') === 'ftyp') return 'mp4';
  return undefined;
}

const CONTENT_TYPE: Record<MediaFormat, string> = {
  jpeg: 'image/jpeg',
  png: 'image/png',
  gif: 'image/gif',
  bmp: 'image/bmp',
  mp4: 'video/mp4',
};

function refuse(field: string, reason: string, message: string, params: object = {}): never {
  throw new AppError('bad_request', message, {
    details: { field, params: { reason, field, ...params } },
  });
}

/** The file of a media input, checked; a bad one is refused naming the field. */
export function checkMedia(input: MediaInput): {
  type: MediaType;
  bytes: Buffer;
  format: MediaFormat;
} {
  if (input.type !== 'image' && input.type !== 'video') {
    refuse('type', 'media_type_invalid', 'type must be "image" or "video"');
  }
  const type: MediaType = input.type;
  if (!/^[A-Za-z0-9+/]*={0,2}$/.test(input.content_base64)) {
    refuse('content_base64', 'media_not_base64', 'content_base64 is not base64');
  }
  const bytes = Buffer.from(input.content_base64, 'base64');
  if (bytes.length === 0) refuse('content_base64', 'media_empty', 'the file is empty');
  const format = sniffFormat(bytes);
  const fits = type === 'video' ? format === 'mp4' : format !== undefined && format !== 'mp4';
  if (!format || !fits) {
    refuse(
      'content_base64',
      'media_format_invalid',
      type === 'video'
        ? 'a video must be an MP4 file'
        : 'an image must be a JPEG, PNG, GIF or BMP file',
      { type, format: format ?? 'unknown' },
    );
  }
  const max = type === 'video' ? VIDEO_MAX_BYTES : IMAGE_MAX_BYTES;
  if (bytes.length > max) {
    refuse(
      'content_base64',
      'media_too_large',
      `the ${type} has ${bytes.length} bytes; WeChat takes at most ${max}`,
      { size: bytes.length, max },
    );
  }
  return { type, bytes, format };
}

/** The multipart/form-data body of upload_icp_media. */
export function multipartBody(
  input: MediaInput,
  file: { type: MediaType; bytes: Buffer; format: MediaFormat },
): { body: Buffer; contentType: string } {
  const boundary = `----openwx${randomBytes(12).toString('hex')}`;
  const parts: Buffer[] = [];
  const field = (name: string, value: string) =>
    parts.push(
      Buffer.from(
        `--${boundary}\r\nContent-Disposition: form-data; name="${name}"\r\n\r\n${value}\r\n`,
      ),
    );
  field('type', file.type);
  if (input.certificate_type !== undefined)
    field('certificate_type', String(input.certificate_type));
  field('icp_order_field', input.icp_order_field);
  const name = (input.filename ?? `media.${file.format === 'jpeg' ? 'jpg' : file.format}`).replace(
    /["\r\n]/g,
    '_',
  );
  parts.push(
    Buffer.from(
      `--${boundary}\r\nContent-Disposition: form-data; name="media"; filename="${name}"\r\nContent-Type: ${CONTENT_TYPE[file.format]}\r\n\r\n`,
    ),
    file.bytes,
    Buffer.from(`\r\n--${boundary}--\r\n`),
  );
  return { body: Buffer.concat(parts), contentType: `multipart/form-data; boundary=${boundary}` };
}

/**
 * Fake ICP filing material shared by the emulator's and openwx's ICP tests: the smallest files
 * WeChat's media checks recognise and a complete application for a personal (type 5) subject.
 * Every name and number is made up.
 */

/** The first bytes of a PNG image (the signature and an IHDR chunk). */
export const PNG = Buffer.from(
  '89504e470d0a1a0a0000000d49484452000000010000000108060000001f15c4890000000d4944415478da63',
  'hex',
);

/** The first bytes of an MP4 video (an `ftyp` box). */
export const MP4 = Buffer.concat([
  Buffer.from('00000018', 'hex'),
  Buffer.from('ftypmp42'),
  Buffer.alloc(16),
]);

/**
 * An `apply_icp_filing` body: the subject and the mini program with one person in charge whose ID
 * photos are `media` and whose face verification is `taskId`.
 */
export function icpApplication(
  media: string,
  taskId: string,
  district = '110105',
  certificateType = 2,
) {
  const principal = {
    name: '张三',
    mobile: '13000000000',
    email: 'owner@example.com',
    emergency_contact: '13100000000',
    certificate_type: 2,
    certificate_number: '110105199001011234',
    certificate_validity_date_start: '20230815',
    certificate_validity_date_end: '20330815',
    certificate_photo_front: media,
    certificate_photo_back: media,
  };
  return {
    icp_subject: {
      base_info: {
        type: 5,
        name: '张三',
        province: '110000',
        city: '110100',
        district,
        address: '某路1号',
      },
      organize_info: {
        certificate_type: certificateType,
        certificate_number: '110105199001011234',
        certificate_address: '北京市朝阳区某路1号',
      },
      principal_info: principal,
    },
    icp_applets: {
      base_info: {
        service_content_types: [1],
        nrlx_details: [{ type: 24 }],
        comment: '为社区居民提供生活缴费查询与提醒服务的小程序',
      },
      principal_info: { ...principal, verify_task_id: taskId },
    },
    icp_materials: {},
  };
}

import assert from 'node:assert/strict';
import type { Harness } from './harness.ts';

/** Helpers of the code-pipeline tests: a template in the library and authorized mini programs. */
export interface Setup {
  appid: string;
  token: string;
  templateId: number;
}

export const ITEMS = [{ address: 'pages/index/index', first_id: 1, second_id: 101, title: 'Home' }];

/** Adds a draft to the template library and returns the new template's id. */
export async function addTemplate(h: Harness): Promise<number> {
  const component = await h.componentToken();
  const draft = await h.control('POST', '/drafts', { user_version: '1.0.0', user_desc: 'first' });
  assert.equal(draft.status, 201);
  const added = await h.api('addtotemplate', { draft_id: draft.json['draft_id'] }, component);
  assert.equal(added['errcode'], 0);
  const templates = (await h.control('GET', '/templates')).json['templates'] as Array<{
    template_id: number;
  }>;
  return templates.at(-1)?.template_id ?? 0;
}

/** An authorized mini program with an approved category, ready to commit `templateId`. */
export async function miniProgram(h: Harness, templateId: number): Promise<Setup> {
  const mp = await h.authorized('miniprogram');
  const cat = await h.api(
    'addcategory',
    { categories: [{ first: 1, second: 101 }] },
    mp.accessToken,
  );
  assert.equal(cat['errcode'], 0);
  return { appid: mp.appid, token: mp.accessToken, templateId };
}

export async function setup(h: Harness): Promise<Setup> {
  return miniProgram(h, await addTemplate(h));
}

export async function commit(h: Harness, s: Setup, version = '1.0.0', extJson?: string) {
  return h.api(
    'commit',
    {
      template_id: s.templateId,
      ext_json: extJson ?? JSON.stringify({ extAppid: s.appid, ext: { shop: 'S1' } }),
      user_version: version,
      user_desc: `version ${version}`,
    },
    s.token,
  );
}

export async function submit(h: Harness, s: Setup): Promise<number> {
  const res = await h.api('submit_audit', { item_list: ITEMS }, s.token);
  assert.equal(res['errcode'], 0, JSON.stringify(res));
  return Number(res['auditid']);
}

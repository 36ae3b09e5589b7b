/**
 * Posting prescriptions as a practice software would: one POST /prescriptions with the example's
 * own content type, and the usual case of a unique copy of a vendor example posted by its own
 * prescriber.
 */
import assert from 'node:assert/strict';
import type { Express } from 'express';
import request, { type Response } from 'supertest';
import type { VendorFormat } from '../../domain/prescription';
import { bearerFor } from './auth';
import { CONTENT_TYPES, uniquify, wireBody, type VendorExample } from './vendor-fixtures';

/** POST /prescriptions of `body` in `format`, with the given Authorization header. */
export const postPrescription = (app: Express, auth: string, format: VendorFormat, body: Buffer): Promise<Response> =>
  request(app)
    .post('/prescriptions')
    .set('authorization', auth)
    .set('content-type', CONTENT_TYPES[format])
    .send(wireBody(format, body));

export interface PostedExample {
  number: string;
  /** The Authorization header of the prescriber who signed it. */
  auth: string;
  ins: string;
  prescriberRpps: string;
}

/** A unique copy of a valid vendor example, posted by its prescriber; it must be stored (201). */
export async function postUniqueExample(app: Express, example: VendorExample): Promise<PostedExample> {
  const unique = uniquify(example);
  const prescriberRpps = unique.prescriberRpps!;
  const auth = await bearerFor({ role: 'prescriber', profession: 'doctor', rpps: prescriberRpps });
  const res = await postPrescription(app, auth, example.format, unique.body);
  assert.equal(res.status, 201, res.text);
  return { number: res.body.number as string, auth, ins: unique.ins, prescriberRpps };
}

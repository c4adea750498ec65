// Create a reusable policy through the official Cloudflare SDK against a local portcullis.
//   TOKEN=$(cat data/root-token) ACCOUNT=$(cat data/account-id) node examples/sdk-quickstart.mjs
import Cloudflare from 'cloudflare';

const baseURL = `${process.env.PORTCULLIS_URL ?? 'http://127.0.0.1:8787'}/client/v4`;
const client = new Cloudflare({ apiToken: process.env.TOKEN, baseURL });
const policy = await client.zeroTrust.access.policies.create({
  account_id: process.env.ACCOUNT,
  name: 'Engineers with MFA',
  decision: 'allow',
  include: [{ email_domain: { domain: 'example.com' } }],
  require: [{ auth_method: { auth_method: 'mfa' } }],
});
console.log(policy.id, policy.reusable);

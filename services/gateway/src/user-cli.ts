import { MongoClient } from 'mongodb';
import { readConfig } from './environment.ts';
import { createUsers } from './users.ts';

// pnpm --filter @proctor/gateway user:add EMAIL PASSWORD ROLE ORG
const [email, password, role, org] = process.argv.slice(2);
if (!email || !password || !role || !org) {
  console.error('usage: user:add EMAIL PASSWORD interviewer|analyst|admin ORG');
  process.exit(2);
}
const config = readConfig();
const mongo = await MongoClient.connect(config.MONGO_URL);
await (await createUsers(mongo.db(config.MONGO_DB))).add(email, password, role as never, org);
console.error(`user ${email} (${role}, ${org}) saved`);
await mongo.close();

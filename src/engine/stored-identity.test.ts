// The stored identity's text (storedIdentityJson) is the JSON of the identity identityToStore
// makes, for any identity: the API stores the one and a dry run compares against the other.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { identityToStore, storedIdentityEmail, storedIdentityJson } from './index.js';

const identity = fc.dictionary(
  fc.string().filter((key) => key !== 'email' && key !== '__proto__'),
  fc.jsonValue(),
);

describe('stored identity', () => {
  it('is the JSON of identityToStore, with or without an email of its own', () => {
    fc.assert(
      fc.property(identity, fc.option(fc.emailAddress(), { nil: undefined }), fc.emailAddress(), (fields, ownEmail, userEmail) => {
        const sent = ownEmail === undefined ? fields : { ...fields, email: ownEmail };
        assert.equal(storedIdentityJson(sent, userEmail), JSON.stringify(identityToStore(sent, userEmail)));
        assert.equal(storedIdentityEmail(sent, userEmail), ownEmail ?? userEmail);
      }),
    );
  });

  it('adds the user email last and keeps an identity of its own as sent', () => {
    assert.equal(storedIdentityJson({}, 'a@example.com'), '{"email":"a@example.com"}');
    assert.equal(storedIdentityJson({ name: 'A' }, 'a@example.com'), '{"name":"A","email":"a@example.com"}');
    assert.equal(storedIdentityJson({ email: 'B@example.com', name: 'B' }, 'b@example.com'), '{"email":"B@example.com","name":"B"}');
  });
});

// Internal to pkcs11/: object search, attribute reads and key decoding.
#pragma once

#include <optional>
#include <vector>

#include "pkcs11/internal.h"

namespace ota::pkcs11 {

// CKA_EC_POINT is a DER OCTET STRING around the point (04 len point); some tokens
// return the point bare. Returns the point either way.
Bytes unwrap_ec_point(const Bytes& value, size_t point_size);

// Objects of `cls` with the given label and/or id (nullptr: any).
Result<std::vector<CK_OBJECT_HANDLE>> find_objects(Token::Impl& d, CK_OBJECT_CLASS cls,
                                                   const std::string* label, const Bytes* id);

// One attribute's value; Errc::hsm with the CKR_ code when the token refuses it.
Result<Bytes> get_attribute(Token::Impl& d, CK_OBJECT_HANDLE object, CK_ATTRIBUTE_TYPE type);

// Label, id, type, algorithm, usage flags and (when decodable) the public key.
Result<KeyInfo> describe_key(Token::Impl& d, CK_OBJECT_HANDLE object, bool is_private);

// The single key the URI's object=/id= selects; a private key comes with the
// public key of its public object.
Result<KeyInfo> find_key(Token::Impl& d, const Uri& uri, bool want_private);

}  // namespace ota::pkcs11

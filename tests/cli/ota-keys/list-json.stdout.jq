.token.label == "ota-example" and (.keys | length) == 10
and ([.keys[] | select(.class == "private") | .label] | sort) == ["director-1","root-1","snapshot-1","targets-1","timestamp-1"]
and all(.keys[] | select(.class == "private");
        .attributes.sign == true and .attributes.decrypt == false and .attributes.unwrap == false
        and .attributes.derive == false and .attributes.sensitive == true and .attributes.extractable == false
        and .attributes.never_extractable == true and (.key_id | test("^[0-9a-f]{64}$")))
and all(.keys[] | select(.class == "public"); .attributes.verify == true and .attributes.encrypt == false and .attributes.wrap == false)
and ([.keys[] | select(.label == "timestamp-1") | .algorithm] | unique) == ["ed25519"]

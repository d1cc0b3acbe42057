//! Every forged or stale access token is refused with 401 before any claim is believed.

use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use ed25519_dalek::pkcs8::EncodePrivateKey;
use ed25519_dalek::pkcs8::spki::der::pem::LineEnding;
use fieldline_tests::*;
use fieldline_wire::problem::types;
use jsonwebtoken::{Algorithm, EncodingKey, Header, encode};
use serde_json::{Value, json};
use sqlx::PgPool;

fn payload_of(token: &str) -> Value {
    let part = token.split('.').nth(1).unwrap();
    serde_json::from_slice(&URL_SAFE_NO_PAD.decode(part).unwrap()).unwrap()
}

fn sign(key: &EncodingKey, alg: Algorithm, kid: &str, claims: &Value) -> String {
    let mut header = Header::new(alg);
    header.kid = Some(kid.to_owned());
    encode(&header, claims, key).unwrap()
}

async fn status_with(server: &TestServer, token: &str) -> (u16, Value) {
    let res = raw()
        .get(server.url("/v1/me"))
        .header("authorization", format!("Bearer {token}"))
        .send()
        .await
        .unwrap();
    let status = res.status().as_u16();
    (status, res.json().await.unwrap_or(Value::Null))
}

#[sqlx::test(migrator = "fieldline_api::MIGRATOR")]
async fn forged_and_stale_tokens_are_refused(db: PgPool) {
    let server = TestServer::start(db).await;
    let phone = server.login(ADVOCATE).await;
    let real = phone.session().unwrap().access_token;
    let claims = payload_of(&real);
    let kid = server.config.jwt.kid().to_owned();
    let pem = std::fs::read_to_string(server.data_dir.join("keys/dev-jwt-ed25519.pem")).unwrap();
    let pem: String = pem
        .lines()
        .filter(|l| !l.starts_with('#'))
        .map(|l| format!("{l}\n"))
        .collect();
    let server_key = EncodingKey::from_ed_pem(pem.as_bytes()).unwrap();
    let now = chrono::Utc::now().timestamp();
    let with = |patch: Value| {
        let mut c = claims.clone();
        for (k, v) in patch.as_object().unwrap() {
            c[k] = v.clone();
        }
        c
    };

    // The crafting itself is right: the server's own key with unchanged claims is accepted.
    assert_eq!(
        status_with(&server, &sign(&server_key, Algorithm::EdDSA, &kid, &claims))
            .await
            .0,
        200
    );

    let other_key = {
        let k = ed25519_dalek::SigningKey::generate(&mut rand::rngs::OsRng);
        EncodingKey::from_ed_pem(k.to_pkcs8_pem(LineEnding::LF).unwrap().as_bytes()).unwrap()
    };
    let header_none =
        URL_SAFE_NO_PAD.encode(json!({"alg": "none", "typ": "JWT", "kid": kid}).to_string());
    let body = real.split('.').nth(1).unwrap();
    let verifying =
        <ed25519_dalek::SigningKey as ed25519_dalek::pkcs8::DecodePrivateKey>::from_pkcs8_pem(&pem)
            .unwrap()
            .verifying_key();
    let public_pem =
        ed25519_dalek::pkcs8::EncodePublicKey::to_public_key_pem(&verifying, LineEnding::LF)
            .unwrap();

    let attacks: Vec<(&str, String)> = vec![
        ("alg none", format!("{header_none}.{body}.")),
        (
            "alg none with signature",
            format!("{header_none}.{body}.{}", real.split('.').nth(2).unwrap()),
        ),
        (
            "HS256 keyed with the public key",
            sign(
                &EncodingKey::from_secret(public_pem.as_bytes()),
                Algorithm::HS256,
                &kid,
                &claims,
            ),
        ),
        (
            "HS256 keyed with the raw public key",
            sign(
                &EncodingKey::from_secret(verifying.as_bytes()),
                Algorithm::HS256,
                &kid,
                &claims,
            ),
        ),
        (
            "another key, our kid",
            sign(&other_key, Algorithm::EdDSA, &kid, &claims),
        ),
        (
            "unknown kid",
            sign(&server_key, Algorithm::EdDSA, "not-our-key", &claims),
        ),
        (
            "expired",
            sign(
                &server_key,
                Algorithm::EdDSA,
                &kid,
                &with(json!({"exp": now - 120, "iat": now - 1000, "nbf": now - 1000})),
            ),
        ),
        (
            "not yet valid",
            sign(
                &server_key,
                Algorithm::EdDSA,
                &kid,
                &with(json!({"nbf": now + 600})),
            ),
        ),
        (
            "wrong audience",
            sign(
                &server_key,
                Algorithm::EdDSA,
                &kid,
                &with(json!({"aud": "someone-else"})),
            ),
        ),
        (
            "wrong issuer",
            sign(
                &server_key,
                Algorithm::EdDSA,
                &kid,
                &with(json!({"iss": "evil"})),
            ),
        ),
        ("no expiry", {
            let mut c = claims.clone();
            c.as_object_mut().unwrap().remove("exp");
            sign(&server_key, Algorithm::EdDSA, &kid, &c)
        }),
        (
            "a session that does not exist",
            sign(
                &server_key,
                Algorithm::EdDSA,
                &kid,
                &with(json!({"sid": uuid::Uuid::new_v4()})),
            ),
        ),
        (
            "someone else's session",
            sign(
                &server_key,
                Algorithm::EdDSA,
                &kid,
                &with(json!({"sub": server.user_id(ADMIN).await})),
            ),
        ),
        ("tampered payload", {
            let forged = URL_SAFE_NO_PAD.encode(with(json!({"roles": ["admin"]})).to_string());
            let parts: Vec<&str> = real.split('.').collect();
            format!("{}.{forged}.{}", parts[0], parts[2])
        }),
        ("garbage", "not.a.token".to_owned()),
    ];
    for (name, token) in attacks {
        let (status, body) = status_with(&server, &token).await;
        assert_problem!(status, body, 401, types::UNAUTHORIZED, "{name}");
    }

    for header in ["", "Bearer", "Basic dXNlcjpwYXNz", &format!("Token {real}")] {
        let res = raw()
            .get(server.url("/v1/me"))
            .header("authorization", header)
            .send()
            .await
            .unwrap();
        assert_eq!(res.status(), 401, "authorization {header:?}");
    }
    let res = raw().get(server.url("/v1/me")).send().await.unwrap();
    assert_eq!(res.status(), 401);
}

#[sqlx::test(migrator = "fieldline_api::MIGRATOR")]
async fn tokens_name_their_key_and_carry_the_promised_claims(db: PgPool) {
    let server = TestServer::start(db).await;
    let token = server.token(COORDINATOR).await;
    let header: Value = serde_json::from_slice(
        &URL_SAFE_NO_PAD
            .decode(token.split('.').next().unwrap())
            .unwrap(),
    )
    .unwrap();
    assert_eq!(header["alg"], "EdDSA");
    assert_eq!(header["kid"], server.config.jwt.kid());
    let c = payload_of(&token);
    assert_eq!(c["iss"], "fieldline");
    assert_eq!(c["aud"], "fieldline-api");
    assert_eq!(c["sub"], server.user_id(COORDINATOR).await.to_string());
    assert_eq!(c["agency"], fieldline_api::demo::DEMO_AGENCY.to_string());
    assert_eq!(c["roles"], json!(["coordinator"]));
    assert_eq!(c["exp"].as_i64().unwrap() - c["iat"].as_i64().unwrap(), 900);
}

//! The committed IDL (programs/rainbow_veil/idl/rainbow_veil.json, hand-written in Anchor 0.30+
//! format, decoded by libs/chain) must agree with this program: discriminators, errors, sizes.
use std::path::PathBuf;

use anchor_lang::{Discriminator, Space};
use rainbow_veil::errors::RvError;
use rainbow_veil::events::*;
use rainbow_veil::state::{Config, Identity, NullifierRecord, Track};
use rainbow_veil::{instruction, ID};
use serde_json::Value;

fn idl() -> Value {
    let path = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("idl/rainbow_veil.json");
    serde_json::from_str(&std::fs::read_to_string(path).expect("read IDL")).expect("IDL is JSON")
}

fn disc_of(list: &Value, name: &str) -> Vec<u8> {
    let item = list.as_array().expect("array").iter().find(|i| i["name"] == name);
    let item = item.unwrap_or_else(|| panic!("{name} missing from IDL"));
    item["discriminator"]
        .as_array()
        .expect("discriminator")
        .iter()
        .map(|b| b.as_u64().expect("byte") as u8)
        .collect()
}

fn type_size(t: &Value) -> usize {
    match t {
        Value::String(s) => match s.as_str() {
            "u8" => 1,
            "u64" => 8,
            "pubkey" => 32,
            other => panic!("unexpected IDL type {other}"),
        },
        Value::Object(o) => {
            let arr = o["array"].as_array().expect("array type");
            type_size(&arr[0]) * arr[1].as_u64().expect("len") as usize
        }
        other => panic!("unexpected IDL type {other}"),
    }
}

fn struct_size(idl: &Value, name: &str) -> usize {
    let ty = idl["types"]
        .as_array()
        .unwrap()
        .iter()
        .find(|t| t["name"] == name)
        .expect("type in IDL");
    ty["type"]["fields"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| type_size(&f["type"]))
        .sum()
}

#[test]
fn program_id_and_discriminators_agree() {
    let idl = idl();
    assert_eq!(idl["address"].as_str(), Some(ID.to_string().as_str()));
    let ixs = &idl["instructions"];
    assert_eq!(disc_of(ixs, "initialize"), instruction::Initialize::DISCRIMINATOR);
    assert_eq!(
        disc_of(ixs, "register_track"),
        instruction::RegisterTrack::DISCRIMINATOR
    );
    assert_eq!(
        disc_of(ixs, "register_identity"),
        instruction::RegisterIdentity::DISCRIMINATOR
    );
    assert_eq!(
        disc_of(ixs, "update_root"),
        instruction::UpdateRoot::DISCRIMINATOR
    );
    assert_eq!(
        disc_of(ixs, "record_verification"),
        instruction::RecordVerification::DISCRIMINATOR
    );
    let evs = &idl["events"];
    assert_eq!(disc_of(evs, "TrackRegistered"), TrackRegistered::DISCRIMINATOR);
    assert_eq!(
        disc_of(evs, "IdentityRegistered"),
        IdentityRegistered::DISCRIMINATOR
    );
    assert_eq!(
        disc_of(evs, "MerkleRootUpdated"),
        MerkleRootUpdated::DISCRIMINATOR
    );
    assert_eq!(
        disc_of(evs, "OwnershipVerified"),
        OwnershipVerified::DISCRIMINATOR
    );
    let accs = &idl["accounts"];
    assert_eq!(disc_of(accs, "Config"), Config::DISCRIMINATOR);
    assert_eq!(disc_of(accs, "Identity"), Identity::DISCRIMINATOR);
    assert_eq!(disc_of(accs, "NullifierRecord"), NullifierRecord::DISCRIMINATOR);
    assert_eq!(disc_of(accs, "Track"), Track::DISCRIMINATOR);
}

#[test]
fn errors_agree() {
    let idl = idl();
    let want: Vec<(u64, String, String)> = [
        RvError::Unauthorized,
        RvError::SeqNotIncreasing,
        RvError::UnknownRoot,
        RvError::NullifierUsed,
        RvError::InvalidDepth,
        RvError::IdentityAlreadyRegistered,
        RvError::ArithmeticOverflow,
    ]
    .into_iter()
    .map(|e| (u64::from(u32::from(e)), e.name(), e.to_string()))
    .collect();
    let got: Vec<(u64, String, String)> = idl["errors"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| {
            (
                e["code"].as_u64().unwrap(),
                e["name"].as_str().unwrap().to_string(),
                e["msg"].as_str().unwrap().to_string(),
            )
        })
        .collect();
    assert_eq!(got, want);
    assert_eq!(want[0].0, 6000);
}

#[test]
fn account_sizes_agree() {
    let idl = idl();
    assert_eq!(struct_size(&idl, "Config"), Config::INIT_SPACE);
    assert_eq!(struct_size(&idl, "Identity"), Identity::INIT_SPACE);
    assert_eq!(struct_size(&idl, "NullifierRecord"), NullifierRecord::INIT_SPACE);
    // Zero-copy (repr C): the IDL lists every byte, padding included.
    assert_eq!(struct_size(&idl, "Track"), Track::LEN);
    assert_eq!(Track::LEN, 2112);
}

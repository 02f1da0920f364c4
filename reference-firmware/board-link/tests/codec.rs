//! Round trips and error handling of the board-link codec.

use board_link::*;

fn sample_status() -> Status {
    Status {
        cp_high_mv: 8950,
        cp_low_mv: -11980,
        pp_ohms: Some(680),
        contactor_closed: true,
        lock_engaged: true,
        ethernet_link_up: false,
        residual_dc_tenth_ma: 63,
        temperature_tenth_c: -125,
        board_uptime_ms: 123_456_789,
    }
}

fn all_controller_messages() -> Vec<ControllerMessage> {
    let light = LightSetting {
        pattern: LightPattern::Pulse,
        red: 0,
        green: 0x80,
        blue: 0xFF,
    };
    vec![
        ControllerMessage::Hello {
            firmware_version: "reference-firmware 0.1.0".into(),
        },
        ControllerMessage::KeepAlive,
        ControllerMessage::SetPilot(PilotOutput::DcPlus12V),
        ControllerMessage::SetPilot(PilotOutput::DcMinus12V),
        ControllerMessage::SetPilot(PilotOutput::Pwm { duty_permille: 0 }),
        ControllerMessage::SetPilot(PilotOutput::Pwm {
            duty_permille: 1000,
        }),
        ControllerMessage::SetContactor { closed: true },
        ControllerMessage::SetContactor { closed: false },
        ControllerMessage::SetLock { locked: true },
        ControllerMessage::StartRcmSelfTest,
        ControllerMessage::SetLights {
            central: light,
            ring: LightSetting::default(),
        },
    ]
}

fn all_board_messages() -> Vec<BoardMessage> {
    let phase = PhaseSample {
        voltage_tenth_v: 2301,
        current_ma: 15_990,
        active_power_tenth_w: -36_000,
        power_factor_milli: -999,
    };
    vec![
        BoardMessage::Hello {
            board_id: "SIM-0001".into(),
            board_firmware: "1.2.3".into(),
        },
        BoardMessage::Status(sample_status()),
        BoardMessage::Status(Status {
            pp_ohms: None,
            ..Status::default()
        }),
        BoardMessage::MeterSample(MeterSample {
            phases: [phase, PhaseSample::default(), phase],
            import_energy_mwh: u64::MAX - 1,
        }),
        BoardMessage::RcmSelfTestResult {
            passed: true,
            measured_tenth_ma: 95,
        },
        BoardMessage::Fault {
            code: BoardFaultCode::LinkTimeout,
            active: true,
            contactor_opened: true,
        },
        BoardMessage::RfidCard {
            uid: vec![0x04, 0xA1, 0xB2, 0xC3, 0xD4, 0xE5, 0xF6],
        },
        BoardMessage::RfidCard {
            uid: vec![1, 2, 3, 4],
        },
        BoardMessage::Fault {
            code: BoardFaultCode::Other(200),
            active: false,
            contactor_opened: false,
        },
    ]
}

#[test]
fn every_message_round_trips_in_one_stream() {
    let mut enc = Encoder::new();
    let mut wire = Vec::new();
    let msgs = all_controller_messages();
    for m in &msgs {
        let frame = enc.encode(m);
        assert_eq!(frame.iter().filter(|&&b| b == 0).count(), 1);
        assert_eq!(*frame.last().unwrap(), 0);
        wire.extend(frame);
    }
    let mut dec = Decoder::<ControllerMessage>::new();
    let got: Vec<_> = dec
        .push_slice(&wire)
        .into_iter()
        .map(Result::unwrap)
        .collect();
    assert_eq!(got.len(), msgs.len());
    for (i, (frame, sent)) in got.iter().zip(&msgs).enumerate() {
        assert_eq!(&frame.message, sent);
        assert_eq!(frame.seq as usize, i);
    }

    let mut enc = Encoder::new();
    let mut dec = Decoder::<BoardMessage>::new();
    for (seq, m) in all_board_messages().into_iter().enumerate() {
        // Byte by byte, as a slow serial port would deliver it.
        let wire = enc.encode(&m);
        let mut results = Vec::new();
        for b in wire {
            results.extend(dec.push(b));
        }
        assert_eq!(
            results,
            vec![Ok(Frame {
                seq: seq as u8,
                message: m
            })]
        );
    }
}

#[test]
fn frame_layout_matches_the_document() {
    // SetContactor{closed} with seq 0: 01 00 04 01 + CRC-32 LE, then COBS and 0x00.
    let wire = Encoder::new().encode(&ControllerMessage::SetContactor { closed: true });
    let raw = cobs::decode(&wire[..wire.len() - 1]).unwrap();
    assert_eq!(&raw[..4], &[PROTOCOL_VERSION, 0, 0x04, 0x01]);
    assert_eq!(&raw[4..], &crc32fast::hash(&raw[..4]).to_le_bytes());
    // Check value of the CRC-32 used (IEEE 802.3, as zlib): "123456789" -> 0xCBF43926.
    assert_eq!(crc32fast::hash(b"123456789"), 0xCBF4_3926);
}

#[test]
fn sequence_numbers_wrap_and_gaps_are_counted() {
    let mut enc = Encoder::new();
    let mut dec = Decoder::<ControllerMessage>::new();
    let mut tracker = SequenceTracker::default();
    let mut missed = 0u32;
    for i in 0..600u32 {
        let wire = enc.encode(&ControllerMessage::KeepAlive);
        if i % 100 == 50 {
            continue; // lost on the wire
        }
        for r in dec.push_slice(&wire) {
            missed += u32::from(tracker.observe(r.unwrap().seq));
        }
    }
    assert_eq!(missed, 6);
}

#[test]
fn corrupted_crc_is_a_checksum_error_and_the_next_frame_decodes() {
    let mut enc = Encoder::new();
    let mut bad = enc.encode(&BoardMessage::Status(sample_status()));
    // Flip a bit inside the encoded body (not a code byte, not the delimiter).
    bad[6] ^= 0x10;
    if bad[6] == 0 {
        bad[6] = 0x55;
    }
    let good = enc.encode(&BoardMessage::Status(sample_status()));
    let mut dec = Decoder::<BoardMessage>::new();
    let mut out = dec.push_slice(&bad);
    out.extend(dec.push_slice(&good));
    assert_eq!(out.len(), 2);
    assert!(
        matches!(out[0], Err(FrameError::Checksum { .. })),
        "{:?}",
        out[0]
    );
    assert_eq!(out[1].as_ref().unwrap().seq, 1);
}

#[test]
fn truncated_frames_are_reported() {
    let mut dec = Decoder::<ControllerMessage>::new();
    // Only 3 raw bytes (a header, no CRC).
    let mut wire = Vec::new();
    cobs::encode(&[1, 0, 2], &mut wire);
    wire.push(0);
    assert_eq!(
        dec.push_slice(&wire),
        vec![Err(FrameError::Truncated { len: 3 })]
    );

    // A frame cut in the middle and followed by the start of a new one: the decoder sees one
    // broken frame, then decodes the next complete frame.
    let mut enc = Encoder::new();
    let full = enc.encode(&ControllerMessage::Hello {
        firmware_version: "x".repeat(20),
    });
    let mut stream = full[..10].to_vec();
    stream.push(0);
    stream.extend(enc.encode(&ControllerMessage::KeepAlive));
    let out = dec.push_slice(&stream);
    assert_eq!(out.len(), 2);
    assert!(out[0].is_err());
    assert_eq!(
        out[1].as_ref().unwrap().message,
        ControllerMessage::KeepAlive
    );
}

#[test]
fn a_body_shorter_than_its_fields_is_a_length_error() {
    let wire = encode_frame_raw(PROTOCOL_VERSION, 7, 0x82, &[1, 2, 3]);
    let out = Decoder::<BoardMessage>::new().push_slice(&wire);
    assert_eq!(
        out,
        vec![Err(FrameError::BadLength {
            type_id: 0x82,
            len: 3
        })]
    );
}

#[test]
fn extra_trailing_body_bytes_from_a_newer_sender_are_ignored() {
    let wire = encode_frame_raw(PROTOCOL_VERSION, 7, 0x04, &[1, 0xAA, 0xBB]);
    let out = Decoder::<ControllerMessage>::new().push_slice(&wire);
    assert_eq!(
        out[0].as_ref().unwrap().message,
        ControllerMessage::SetContactor { closed: true }
    );
}

#[test]
fn unknown_version_and_unknown_type_are_typed_errors() {
    let mut dec = Decoder::<ControllerMessage>::new();
    let v2 = encode_frame_raw(2, 0, 0x02, &[]);
    assert_eq!(
        dec.push_slice(&v2),
        vec![Err(FrameError::UnknownVersion { version: 2 })]
    );
    let unknown = encode_frame_raw(PROTOCOL_VERSION, 0, 0x42, &[]);
    assert_eq!(
        dec.push_slice(&unknown),
        vec![Err(FrameError::UnknownMessage { type_id: 0x42 })]
    );
    // A board message arriving at the board's decoder is unknown there.
    let wrong_dir = Encoder::new().encode(&BoardMessage::RcmSelfTestResult {
        passed: true,
        measured_tenth_ma: 1,
    });
    assert_eq!(
        dec.push_slice(&wrong_dir),
        vec![Err(FrameError::UnknownMessage { type_id: 0x84 })]
    );
}

#[test]
fn out_of_range_fields_are_bad_values() {
    let mut dec = Decoder::<ControllerMessage>::new();
    let duty = encode_frame_raw(PROTOCOL_VERSION, 0, 0x03, &[2, 0xE9, 0x03]); // 1001
    assert!(matches!(
        dec.push_slice(&duty)[0],
        Err(FrameError::BadValue {
            field: "duty_permille",
            value: 1001,
            ..
        })
    ));
    let mode = encode_frame_raw(PROTOCOL_VERSION, 0, 0x03, &[9, 0, 0]);
    assert!(matches!(
        dec.push_slice(&mode)[0],
        Err(FrameError::BadValue {
            field: "pilot_mode",
            ..
        })
    ));
    let mut board = Decoder::<BoardMessage>::new();
    let uid = encode_frame_raw(PROTOCOL_VERSION, 0, 0x86, &[11; 12]);
    assert!(matches!(
        board.push_slice(&uid)[0],
        Err(FrameError::BadValue {
            field: "uid_len",
            ..
        })
    ));
    let flag = encode_frame_raw(PROTOCOL_VERSION, 0, 0x04, &[2]);
    assert!(matches!(
        dec.push_slice(&flag)[0],
        Err(FrameError::BadValue {
            field: "closed",
            ..
        })
    ));
}

#[test]
fn garbage_and_overlong_runs_resynchronise_on_the_next_delimiter() {
    let mut dec = Decoder::<ControllerMessage>::new();
    let mut stream: Vec<u8> = (1..=255u8).cycle().take(1000).collect();
    stream.push(0);
    stream.extend_from_slice(&[0, 0, 0]); // empty frames are skipped
    stream.extend_from_slice(&[0x13, 0x37, 0x42, 0]); // short garbage
    stream.extend(Encoder::new().encode(&ControllerMessage::StartRcmSelfTest));
    let out = dec.push_slice(&stream);
    assert_eq!(out.len(), 3, "{out:?}");
    assert_eq!(out[0], Err(FrameError::Overlong));
    assert!(out[1].is_err());
    assert_eq!(
        out[2].as_ref().unwrap().message,
        ControllerMessage::StartRcmSelfTest
    );
}

#[test]
fn long_texts_are_cut_to_32_bytes_on_a_character_boundary() {
    let wire = Encoder::new().encode(&BoardMessage::Hello {
        board_id: "é".repeat(40),
        board_firmware: String::new(),
    });
    let out = Decoder::<BoardMessage>::new().push_slice(&wire);
    match &out[0].as_ref().unwrap().message {
        BoardMessage::Hello { board_id, .. } => assert_eq!(board_id, &"é".repeat(16)),
        other => panic!("unexpected {other:?}"),
    }
}

#[test]
fn errors_render_as_one_line() {
    let e = FrameError::Checksum {
        expected: 1,
        actual: 2,
    };
    assert_eq!(
        e.to_string(),
        "checksum error: CRC-32 0x00000002, expected 0x00000001"
    );
    assert!(!FrameError::UnknownVersion { version: 9 }
        .to_string()
        .contains('\n'));
}

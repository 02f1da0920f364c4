//! Property tests: arbitrary bytes never panic the decoder, and a valid frame after any garbage
//! and a delimiter is decoded.

use board_link::*;
use proptest::prelude::*;

proptest! {
    #[test]
    fn decoder_survives_garbage_and_resyncs(garbage in proptest::collection::vec(any::<u8>(), 0..2000),
                                            duty in 0u16..=1000) {
        let mut dec = Decoder::<ControllerMessage>::new();
        let _ = dec.push_slice(&garbage);
        let msg = ControllerMessage::SetPilot(PilotOutput::Pwm { duty_permille: duty });
        let mut tail = vec![0u8];
        tail.extend(Encoder::new().encode(&msg));
        let out = dec.push_slice(&tail);
        let last = out.last().expect("a result for the valid frame");
        prop_assert_eq!(&last.as_ref().unwrap().message, &msg);
    }

    #[test]
    fn any_single_bit_flip_is_detected(bit in 0usize..(8 * 20)) {
        let msg = BoardMessage::RcmSelfTestResult { passed: true, measured_tenth_ma: 60 };
        let mut wire = Encoder::new().encode(&msg);
        let n = wire.len() - 1; // keep the delimiter
        let idx = (bit / 8) % n;
        wire[idx] ^= 1 << (bit % 8);
        let out = Decoder::<BoardMessage>::new().push_slice(&wire);
        // Either the flip created a delimiter (then two broken frames or fewer) or one error.
        for r in &out {
            prop_assert!(r.is_err(), "flipped frame accepted: {:?}", r);
        }
    }
}

//! The driver's card at the charger's reader (RFID emulator).

use cucumber::gherkin::StepType;
use plugin_api::kinds::rfid_emulator as rfid;

use super::support::{self, mark, step_fn, text};
use super::StepDef;
use crate::rig::Instrument;

/// How long a card is out of the field between two presentations, as in a real second swipe.
const CARD_GAP: std::time::Duration = std::time::Duration::from_millis(300);

pub const STEPS: &[StepDef] = &[
    StepDef {
        keyword: StepType::When,
        pattern: r#"the driver presents the card "([^"]+)""#,
        example: r#"When the driver presents the card "04A2B3C4D5E6F7""#,
        run: presents,
    },
    StepDef {
        keyword: StepType::When,
        pattern: "the driver takes the card away",
        example: "When the driver takes the card away",
        run: takes_away,
    },
];

step_fn!(presents, |world, ctx| {
    let uid_hex = support::resolve_text(world, &text(&ctx, 1)?).await?;
    // A reader acts on a card entering the field: take the previous one away first.
    if world.memory.card_in_field {
        world.call(Instrument::Rfid, rfid::RemoveCard {}).await?;
        world.memory.card_in_field = false;
        tokio::time::sleep(CARD_GAP).await;
    }
    mark(world).await?;
    world
        .call(Instrument::Rfid, rfid::PresentCard { uid_hex })
        .await?;
    world.memory.card_in_field = true;
    Ok(())
});

step_fn!(takes_away, |world, ctx| {
    mark(world).await?;
    world.call(Instrument::Rfid, rfid::RemoveCard {}).await?;
    world.memory.card_in_field = false;
    Ok(())
});

#include "ecu.h"

#include <string.h>

#include "calib.h"
#include "log.h"

#define STAY ECU_STATE_COUNT

/* next state for each (state, event); STAY = event ignored in that state.
 * A table keeps every transition visible in one place. */
static const uint8_t next_state[ECU_STATE_COUNT][ECU_EV_COUNT] = {
    /*             IGN_ON    IGN_OFF   MOVING     STOPPED   FAULT      CLEAR     IDLE_TIMEOUT */
    [ECU_SLEEP] = { ECU_WAKE, STAY,     STAY,      STAY,     ECU_FAULT, STAY,     STAY },
    [ECU_WAKE]  = { STAY,     STAY,     ECU_DRIVE, STAY,     ECU_FAULT, STAY,     ECU_SLEEP },
    [ECU_DRIVE] = { STAY,     ECU_WAKE, STAY,      ECU_WAKE, ECU_FAULT, STAY,     STAY },
    [ECU_FAULT] = { STAY,     STAY,     STAY,      STAY,     STAY,      ECU_WAKE, ECU_SLEEP },
};

static const char *const state_names[ECU_STATE_COUNT] = { "SLEEP", "WAKE", "DRIVE", "FAULT" };

void ecu_init(ecu_t *e)
{
    memset(e, 0, sizeof *e);
    e->state = ECU_SLEEP;
}

/* Diagnostic reset: restarts the trip but keeps the DTC memory, which on a
 * real unit lives in non-volatile storage. */
void ecu_reset(ecu_t *e)
{
    struct ecu_dtc dtc[ECU_MAX_DTC];
    uint8_t n = e->dtc_count;
    struct ecu_signals sig = e->sig;

    memcpy(dtc, e->dtc, sizeof dtc);
    ecu_init(e);
    memcpy(e->dtc, dtc, sizeof dtc);
    e->dtc_count = n;
    e->sig = sig;
    if (sig.ignition)
        e->state = ECU_WAKE;
}

ecu_state_t ecu_handle(ecu_t *e, ecu_event_t ev)
{
    uint8_t next;

    if ((unsigned)ev >= ECU_EV_COUNT)
        return e->state;
    next = next_state[e->state][ev];
    if (next != STAY && next != e->state) {
        log_event(LOG_INFO, LOG_STATE, (uint32_t)e->state << 8 | next);
        e->state = (ecu_state_t)next;
        e->transitions++;
        e->ign_off_ticks = 0;
    }
    return e->state;
}

void ecu_tick(ecu_t *e)
{
    const struct ecu_signals *s = &e->sig;

    if (!s->ignition) {
        if (e->state != ECU_SLEEP && ++e->ign_off_ticks >= ECU_SLEEP_DELAY_TICKS)
            ecu_handle(e, ECU_EV_IDLE_TIMEOUT);
        return;
    }

    /* Per 10 ms tick: (v/100 km/h) * 1e9 um/km / 3600 s/h * 0.01 s. */
    e->distance_um += (uint64_t)s->speed_kph_x100 * 1000u / 36u;
    /* mL/h over 10 ms, in nL: rate * 1e6 / 360000. */
    if (s->rpm)
        e->fuel_nl += (uint64_t)calib_fuel_rate(s->rpm, s->load) * 25u / 9u;
    if (e->state == ECU_DRIVE) {
        e->drive_ticks++;
        e->eco_sum += calib_eco_weight(s->speed_kph_x100, s->accel_dms2);
    }
}

int ecu_set_dtc(ecu_t *e, uint32_t code)
{
    for (unsigned i = 0; i < e->dtc_count; i++) {
        if (e->dtc[i].code == code) {
            e->dtc[i].status |= DTC_TEST_FAILED;
            return 0;
        }
    }
    /* Memory full: keep the oldest codes, they point at the root cause. */
    if (e->dtc_count == ECU_MAX_DTC)
        return -1;
    e->dtc[e->dtc_count].code = code & 0xFFFFFFu;
    e->dtc[e->dtc_count].status = DTC_TEST_FAILED | DTC_CONFIRMED;
    e->dtc_count++;
    log_event(LOG_ERROR, LOG_DTC_SET, code);
    return 1;
}

void ecu_clear_dtcs(ecu_t *e)
{
    e->dtc_count = 0;
    memset(e->dtc, 0, sizeof e->dtc);
    log_event(LOG_INFO, LOG_DTC_CLEAR, 0);
    ecu_handle(e, ECU_EV_FAULT_CLEAR);
}

/* Average eco weight over driving time, scaled to 0..100. */
unsigned ecu_eco_score(const ecu_t *e)
{
    return e->drive_ticks ? (unsigned)(e->eco_sum / e->drive_ticks / 10u) : 0;
}

const char *ecu_state_name(ecu_state_t s)
{
    return (unsigned)s < ECU_STATE_COUNT ? state_names[s] : "?";
}

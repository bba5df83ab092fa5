/* Host build of the telematics control unit firmware. main() runs a
 * deterministic bench scenario (a short drive cycle replayed as CAN traffic)
 * after a power-on self-test, and prints a one-line summary. */
#include <inttypes.h>
#include <stdio.h>
#include <string.h>

#include "calib.h"
#include "can.h"
#include "crc.h"
#include "diag.h"
#include "ecu.h"
#include "log.h"
#include "vehicle.h"
#include "version.h"

#define ARRAY_LEN(a)   (sizeof(a) / sizeof((a)[0]))
#define SCENARIO_TICKS 6000u /* 60 s at 10 ms */

struct script_frame {
    uint16_t tick;
    uint16_t id;
    uint8_t  dlc;
    uint8_t  data[CAN_MAX_DLC];
};

/* Scripted traffic besides the periodic powertrain frames; sorted by tick. */
static const struct script_frame script[] = {
    {    5, CAN_ID_BODY,     1, { 0x01 } },                         /* ignition on */
    {   20, CAN_ID_THERMAL,  4, { 0x03, 0x52, 0x80, 0x00 } },       /* 85.0 C */
    { 2000, CAN_ID_THERMAL,  4, { 0x03, 0x84, 0x78, 0x00 } },       /* 90.0 C */
    { 3000, CAN_ID_THERMAL,  4, { 0x04, 0x9C, 0x70, 0x00 } },       /* 118.0 C: overheat */
    { 3100, CAN_ID_DIAG_REQ, 3, { 0x02, 0x10, 0x03 } },             /* extended session */
    { 3150, CAN_ID_THERMAL,  4, { 0x03, 0xB6, 0x74, 0x00 } },       /* 95.0 C */
    { 3200, CAN_ID_DIAG_REQ, 5, { 0x04, 0x14, 0xFF, 0xFF, 0xFF } }, /* clear DTCs */
    { 3250, CAN_ID_DIAG_REQ, 4, { 0x03, 0x22, 0xF1, 0x95 } },       /* SW version */
    { 3300, CAN_ID_DIAG_REQ, 8, { 0x03, 0x22, 0x01, 0x02, 0xAA, 0xAA, 0xAA, 0xAA } }, /* trip */
    { 3400, 0x555,           2, { 0x12, 0x34 } },                   /* not for us */
    { 5800, CAN_ID_BODY,     1, { 0x00 } },                         /* ignition off */
    { 5820, CAN_ID_DIAG_REQ, 4, { 0x03, 0x22, 0x01, 0x03 } },       /* fuel used */
};

static ecu_t ecu;

static void inject(const can_frame_t *f)
{
    uint8_t wire[CAN_WIRE_MAX];
    size_t n = can_encode(f, wire, sizeof wire);

    can_receive(wire, n);
}

/* Bridge-link faults the decoder must reject without disturbing the ECU. */
static void inject_malformed(void)
{
    can_frame_t f = { .id = CAN_ID_BODY, .dlc = 1, .data = { 0x01 } };
    uint8_t wire[CAN_WIRE_MAX];
    size_t n = can_encode(&f, wire, sizeof wire);

    wire[n - 1] ^= 0x5A; /* corrupted CRC */
    can_receive(wire, n);
    wire[n - 1] ^= 0x5A;
    can_receive(wire, n - 3); /* truncated record */
    wire[4] = 9;              /* DLC beyond classic CAN */
    can_receive(wire, n);
    f.id = 0x900; /* does not fit in 11 bits */
    n = can_encode(&f, wire, sizeof wire);
    can_receive(wire, n);
}

/* Drive cycle: idle, accelerate to 90 km/h over 20 s, cruise, brake to a
 * stop over 9 s. Returns speed in 0.01 km/h and engine load. */
static uint16_t drive_cycle(uint32_t t, uint8_t *load)
{
    if (t < 500) {
        *load = 30;
        return 0;
    }
    if (t < 2500) {
        *load = 180;
        return (uint16_t)((t - 500) * 9 / 2);
    }
    if (t < 4500) {
        *load = 90;
        return (uint16_t)(8900 + (t / 10 % 8) * 25); /* small cruise ripple */
    }
    if (t < 5400) {
        *load = 10;
        return (uint16_t)((5400 - t) * 10);
    }
    *load = 30;
    return 0;
}

static void send_powertrain(uint32_t t)
{
    static uint8_t counter;
    can_frame_t f = { .id = CAN_ID_POWERTRAIN, .dlc = 8 };
    uint8_t load;
    uint16_t speed = drive_cycle(t, &load);
    uint16_t rpm = (uint16_t)(800 + speed * 35u / 100u);

    f.data[0] = (uint8_t)(rpm >> 8);
    f.data[1] = (uint8_t)rpm;
    f.data[2] = (uint8_t)(speed >> 8);
    f.data[3] = (uint8_t)speed;
    f.data[4] = load;
    f.data[5] = counter++ & 0x0Fu;
    f.data[7] = vehicle_checksum(f.data, 7);
    inject(&f);
}

static void run_scenario(void)
{
    size_t next = 0;

    for (uint32_t t = 0; t < SCENARIO_TICKS; t++) {
        log_set_time(t);
        while (next < ARRAY_LEN(script) && script[next].tick <= t) {
            const struct script_frame *s = &script[next++];
            can_frame_t f = { .id = s->id, .dlc = s->dlc };

            memcpy(f.data, s->data, sizeof f.data);
            inject(&f);
        }
        if (t >= 10 && t <= 5700 && t % (POWERTRAIN_PERIOD_MS / ECU_TICK_MS) == 0)
            send_powertrain(t);
        if (t == 3500)
            inject_malformed();
        ecu_tick(&ecu);
    }
}

/* Power-on self-test: returns NULL on success, else the failed check. */
static const char *selftest(void)
{
    static const uint8_t req_version[] = { 0x22, 0xF1, 0x95 };
    static const uint8_t req_unknown[] = { 0x85, 0x01 };
    uint8_t buf[DIAG_MAX_RESP];
    can_frame_t f = { .id = 0x123, .dlc = 3, .data = { 1, 2, 3 } }, g;
    log_entry_t e;
    size_t n;

    if (crc32("123456789", 9) != 0xCBF43926u || crc16_ccitt("123456789", 9) != 0x29B1u)
        return "crc";
    if (calib_verify() != 0)
        return "calibration crc";

    n = can_encode(&f, buf, sizeof buf);
    if (n == 0 || can_decode(buf, n, &g) != CAN_OK || g.id != f.id || memcmp(g.data, f.data, 8))
        return "can codec";
    buf[5] ^= 1;
    if (can_decode(buf, n, &g) != CAN_ERR_CRC)
        return "can crc check";

    for (uint32_t i = 0; i < LOG_CAPACITY + 3; i++)
        log_event(LOG_DEBUG, LOG_SELFTEST, i);
    if (log_count() != LOG_CAPACITY || log_overwritten() != 3 || log_get(0, &e) || e.arg != 3)
        return "log ring";

    n = diag_handle(req_version, sizeof req_version, buf, sizeof buf);
    if (n != 3 + strlen(FW_VERSION) || buf[0] != 0x62 || memcmp(buf + 3, FW_VERSION, n - 3))
        return "diag read version";
    n = diag_handle(req_unknown, sizeof req_unknown, buf, sizeof buf);
    if (n != 3 || buf[0] != 0x7F || buf[2] != NRC_SERVICE_NOT_SUPPORTED)
        return "diag negative response";
    return NULL;
}

int main(void)
{
    struct can_stats st;
    const char *fail;

    log_init();
    can_init();
    ecu_init(&ecu);
    if (vehicle_init(&ecu) != 0) {
        printf("%s v%s self-test FAIL: can filters\n", FW_NAME, FW_VERSION);
        return 1;
    }
    fail = selftest();
    if (fail) {
        printf("%s v%s self-test FAIL: %s\n", FW_NAME, FW_VERSION, fail);
        return 1;
    }

    log_init(); /* start the scenario with a clean history */
    log_event(LOG_INFO, LOG_BOOT, calib_hdr.revision);
    run_scenario();
    if (ecu.state != ECU_SLEEP) {
        printf("%s v%s self-test FAIL: ended in %s\n", FW_NAME, FW_VERSION,
               ecu_state_name(ecu.state));
        return 1;
    }

    can_get_stats(&st);
    printf("%s v%s self-test PASS rx=%" PRIu32 " drop=%" PRIu32 " tx=%" PRIu32
           " trip=%" PRIu64 "m fuel=%" PRIu64 "mL eco=%u dtc=%u calib=r%u log=%08" PRIx32 "\n",
           FW_NAME, FW_VERSION, st.rx_ok, can_rx_dropped(), st.tx,
           ecu.distance_um / 1000000u, ecu.fuel_nl / 1000000u, ecu_eco_score(&ecu),
           (unsigned)ecu.dtc_count, (unsigned)calib_hdr.revision, log_digest());
    return 0;
}

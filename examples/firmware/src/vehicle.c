#include "vehicle.h"

#include <string.h>

#include "calib.h"
#include "can.h"
#include "diag.h"

#define ISOTP_PAD 0xAAu

static uint16_t get_be16(const uint8_t *p)
{
    return (uint16_t)(p[0] << 8 | p[1]);
}

/* Message checksum: all eight bytes sum to 0xFF. */
uint8_t vehicle_checksum(const uint8_t *data, size_t len)
{
    uint8_t sum = 0;

    while (len--)
        sum = (uint8_t)(sum + *data++);
    return (uint8_t)(0xFFu - sum);
}

static void on_body(const can_frame_t *f, void *ctx)
{
    ecu_t *e = ctx;
    uint8_t ign;

    if (f->dlc < 1)
        return;
    ign = f->data[0] & 1u;
    if (ign == e->sig.ignition)
        return;
    e->sig.ignition = ign;
    if (!ign) {
        e->sig.rpm = 0;
        e->sig.speed_kph_x100 = 0;
        e->sig.accel_dms2 = 0;
    }
    ecu_handle(e, ign ? ECU_EV_IGN_ON : ECU_EV_IGN_OFF);
}

static void on_powertrain(const can_frame_t *f, void *ctx)
{
    ecu_t *e = ctx;
    uint16_t speed;

    if (f->dlc != 8 || vehicle_checksum(f->data, 7) != f->data[7]) {
        ecu_set_dtc(e, DTC_ECM_BAD_DATA);
        return;
    }
    speed = get_be16(f->data + 2);
    /* dv in 0.01 km/h over one 100 ms period, converted to 0.1 m/s^2. */
    e->sig.accel_dms2 = (int16_t)(((int32_t)speed - e->sig.speed_kph_x100) * 5 / 18);
    e->sig.rpm = get_be16(f->data);
    e->sig.speed_kph_x100 = speed;
    e->sig.load = f->data[4];

    /* Hysteresis: only a full stop counts as stopped. */
    if (speed >= MOVING_KPH_X100)
        ecu_handle(e, ECU_EV_MOVING);
    else if (speed == 0)
        ecu_handle(e, ECU_EV_STOPPED);
}

static void on_thermal(const can_frame_t *f, void *ctx)
{
    ecu_t *e = ctx;

    if (f->dlc < 3)
        return;
    e->sig.coolant_c_x10 = (int16_t)get_be16(f->data);
    e->sig.board_c_x10 = calib_ntc_temp(f->data[2]);
    if (e->sig.coolant_c_x10 > COOLANT_OVERTEMP_X10) {
        ecu_set_dtc(e, DTC_ENGINE_OVERTEMP);
        ecu_handle(e, ECU_EV_FAULT);
    }
}

/* Sends a diagnostic response, segmented if it does not fit a single frame.
 * The workshop tester uses block size 0 and STmin 0, so consecutive frames
 * go out back to back without waiting for flow control. */
static void isotp_send(const uint8_t *msg, size_t len)
{
    can_frame_t f = { .id = CAN_ID_DIAG_RESP, .dlc = 8 };
    uint8_t sn = 1;

    memset(f.data, ISOTP_PAD, sizeof f.data);
    if (len <= 7) {
        f.data[0] = (uint8_t)len;
        memcpy(f.data + 1, msg, len);
        can_transmit(&f);
        return;
    }
    f.data[0] = (uint8_t)(0x10u | (len >> 8));
    f.data[1] = (uint8_t)len;
    memcpy(f.data + 2, msg, 6);
    can_transmit(&f);
    for (size_t off = 6; off < len; off += 7) {
        size_t chunk = len - off < 7 ? len - off : 7;

        memset(f.data, ISOTP_PAD, sizeof f.data);
        f.data[0] = (uint8_t)(0x20u | (sn++ & 0x0Fu));
        memcpy(f.data + 1, msg + off, chunk);
        can_transmit(&f);
    }
}

/* Requests are always single frames: every supported request fits in 7 bytes. */
static void on_diag_request(const can_frame_t *f, void *ctx)
{
    uint8_t resp[DIAG_MAX_RESP];
    size_t req_len, n;

    (void)ctx;
    if (f->dlc < 2 || (f->data[0] >> 4) != 0)
        return;
    req_len = f->data[0] & 0x0Fu;
    if (req_len == 0 || req_len > (size_t)f->dlc - 1)
        return;
    n = diag_handle(f->data + 1, req_len, resp, sizeof resp);
    if (n)
        isotp_send(resp, n);
}

int vehicle_init(ecu_t *e)
{
    int rc = 0;

    diag_init(e);
    rc |= can_register(CAN_ID_BODY, CAN_SFF_MASK, on_body, e);
    rc |= can_register(CAN_ID_POWERTRAIN, CAN_SFF_MASK, on_powertrain, e);
    rc |= can_register(CAN_ID_THERMAL, CAN_SFF_MASK, on_thermal, e);
    rc |= can_register(CAN_ID_DIAG_REQ, CAN_SFF_MASK, on_diag_request, NULL);
    return rc;
}

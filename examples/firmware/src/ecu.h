/* ECU power/operating state machine, live vehicle signals, trip counters
 * and the diagnostic trouble code (DTC) memory. */
#ifndef TCU_ECU_H
#define TCU_ECU_H

#include <stdint.h>

#define ECU_TICK_MS           10u
#define ECU_SLEEP_DELAY_TICKS 50u /* stay awake 500 ms after ignition off */
#define ECU_MAX_DTC           8u

/* UDS DTC status bits (ISO 14229-1, annex D). */
#define DTC_TEST_FAILED 0x01u
#define DTC_CONFIRMED   0x08u

typedef enum { ECU_SLEEP, ECU_WAKE, ECU_DRIVE, ECU_FAULT, ECU_STATE_COUNT } ecu_state_t;

typedef enum {
    ECU_EV_IGN_ON,
    ECU_EV_IGN_OFF,
    ECU_EV_MOVING,
    ECU_EV_STOPPED,
    ECU_EV_FAULT,
    ECU_EV_FAULT_CLEAR,
    ECU_EV_IDLE_TIMEOUT,
    ECU_EV_COUNT
} ecu_event_t;

struct ecu_signals {
    uint16_t rpm;
    uint16_t speed_kph_x100;
    int16_t  accel_dms2; /* 0.1 m/s^2 */
    int16_t  coolant_c_x10;
    int16_t  board_c_x10;
    uint8_t  load;       /* engine load, 0..255 */
    uint8_t  ignition;
};

struct ecu_dtc {
    uint32_t code; /* 3-byte UDS DTC, e.g. P0217 = 0x021700 */
    uint8_t  status;
};

typedef struct {
    ecu_state_t        state;
    struct ecu_signals sig;
    uint32_t           ign_off_ticks;
    uint32_t           drive_ticks;
    uint32_t           transitions;
    uint64_t           distance_um;
    uint64_t           fuel_nl;
    uint64_t           eco_sum;
    struct ecu_dtc     dtc[ECU_MAX_DTC];
    uint8_t            dtc_count;
} ecu_t;

void        ecu_init(ecu_t *e);
void        ecu_reset(ecu_t *e);
ecu_state_t ecu_handle(ecu_t *e, ecu_event_t ev);
void        ecu_tick(ecu_t *e);
int         ecu_set_dtc(ecu_t *e, uint32_t code);
void        ecu_clear_dtcs(ecu_t *e);
unsigned    ecu_eco_score(const ecu_t *e);
const char *ecu_state_name(ecu_state_t s);

#endif

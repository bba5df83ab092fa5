/* Vehicle network glue: decodes the CAN messages this unit listens to into
 * ECU signals/events, and carries diagnostics over ISO-TP (ISO 15765-2). */
#ifndef TCU_VEHICLE_H
#define TCU_VEHICLE_H

#include <stddef.h>
#include <stdint.h>

#include "ecu.h"

#define CAN_ID_BODY       0x100u /* [0] bit0 = ignition */
#define CAN_ID_POWERTRAIN 0x200u /* rpm:2 speed:2 load:1 counter:1 rsvd:1 checksum:1 */
#define CAN_ID_THERMAL    0x300u /* coolant 0.1 C:2 board NTC ADC:1 flags:1 */
#define CAN_ID_DIAG_REQ   0x7E0u
#define CAN_ID_DIAG_RESP  0x7E8u

#define POWERTRAIN_PERIOD_MS   100u
#define MOVING_KPH_X100        300   /* above: moving */
#define COOLANT_OVERTEMP_X10   1150  /* 115.0 C */

#define DTC_ENGINE_OVERTEMP 0x021700u /* P0217 */
#define DTC_ECM_BAD_DATA    0xC40100u /* U0401: invalid data from ECM */

int     vehicle_init(ecu_t *e);
uint8_t vehicle_checksum(const uint8_t *data, size_t len);

#endif

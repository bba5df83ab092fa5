/*
 * fake_pkcs11.c - a tiny fake PKCS#11 (v2.40) module for the ota-toolchain tests.
 *
 * It exists to drive the error paths that SoftHSM2 cannot produce, above all a
 * locked user PIN (SoftHSM2 never locks a user PIN). It is a shared library that
 * exports only C_GetFunctionList and is loaded by the tools through p11-kit
 * (p11_kit_module_load + p11_kit_module_initialize) like any real module.
 * It is test material only: it holds no keys and produces no signatures.
 *
 * One slot (id 7) holding one token: label "fake-token", manufacturer
 * "ota-toolchain tests", model "fake", serial "FAKE0001".
 *
 * Environment, read at C_Initialize:
 *   FAKE_PKCS11_PIN   the correct user PIN (default "1234"; at most 255 bytes).
 *   FAKE_PKCS11_MODE  one of:
 *     ok (or unset)  correct PIN -> CKR_OK, wrong PIN -> CKR_PIN_INCORRECT;
 *                    every find returns zero objects.
 *     locked         token flags carry CKF_USER_PIN_LOCKED; C_Login ->
 *                    CKR_PIN_LOCKED whatever the PIN.
 *     final-try      flags carry CKF_USER_PIN_COUNT_LOW|CKF_USER_PIN_FINAL_TRY;
 *                    a wrong PIN -> CKR_PIN_INCORRECT and the token is locked
 *                    from then on (until the library is unloaded, even across
 *                    C_Finalize/C_Initialize); the correct PIN -> CKR_OK.
 *     init-fails     C_Initialize -> CKR_GENERAL_ERROR.
 *     no-token       the slot has no token: C_GetSlotList(CK_TRUE) lists no
 *                    slot, C_GetTokenInfo/C_OpenSession -> CKR_TOKEN_NOT_PRESENT.
 *     sign-fails     like ok, plus one private EC key (handle 1, label "k",
 *                    with its public half as handle 2, visible without login;
 *                    id 01) visible once logged in; C_SignInit(CKM_ECDSA) ->
 *                    CKR_OK, C_Sign -> CKR_DEVICE_ERROR.
 *     anything else  C_Initialize -> CKR_ARGUMENTS_BAD.
 *
 * The PIN is never printed or logged: this module writes nothing at all.
 * Build: gcc -std=c11 -Wall -Wextra -shared -fPIC $(pkg-config --cflags p11-kit-1)
 *            -o libfake_pkcs11.so fake_pkcs11.c
 */

#define _POSIX_C_SOURCE 200809L

#include <p11-kit/pkcs11.h>

#include <pthread.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>

#if defined(__GNUC__)
#define FAKE_EXPORT __attribute__((visibility("default")))
#else
#define FAKE_EXPORT
#endif

/* ------------------------------------------------------------------------ */
/* State                                                                     */

enum { FAKE_SLOT_ID = 7, FAKE_MAX_SESSIONS = 16, FAKE_PIN_MAX = 255, FAKE_KEY_HANDLE = 1 };

enum fake_mode { MODE_OK, MODE_LOCKED, MODE_FINAL_TRY, MODE_NO_TOKEN, MODE_SIGN_FAILS };

struct fake_session {
    int in_use;
    CK_SESSION_HANDLE handle;
    CK_FLAGS flags;
    int find_active;
    int find_done; /* the single result (if any) has been returned */
    int find_match;
    int sign_active;
};

static pthread_mutex_t g_lock = PTHREAD_MUTEX_INITIALIZER;
static int g_initialized;
static enum fake_mode g_mode;
static unsigned char g_pin[FAKE_PIN_MAX];
static size_t g_pin_len;
static int g_logged_in;
/* final-try: set by a wrong PIN; deliberately survives C_Finalize. */
static int g_pin_locked_by_final_try;
static struct fake_session g_sessions[FAKE_MAX_SESSIONS];
static CK_SESSION_HANDLE g_next_handle = 0x100;

/* The sign-fails key object. */
static const CK_OBJECT_CLASS k_class = CKO_PRIVATE_KEY;
static const CK_KEY_TYPE k_key_type = CKK_EC;
static const CK_BBOOL k_true = CK_TRUE;
static const CK_BBOOL k_false = CK_FALSE;
static const unsigned char k_label[] = {'k'};
static const unsigned char k_id[] = {0x01};
/* DER OBJECT IDENTIFIER prime256v1 (1.2.840.10045.3.1.7). */
static const unsigned char k_ec_params[] = {0x06, 0x08, 0x2a, 0x86, 0x48, 0xce, 0x3d, 0x03, 0x01, 0x07};

struct fake_attr {
    CK_ATTRIBUTE_TYPE type;
    const void *value;
    CK_ULONG len;
};

static const struct fake_attr k_key_attrs[] = {
    {CKA_CLASS, &k_class, sizeof k_class},
    {CKA_KEY_TYPE, &k_key_type, sizeof k_key_type},
    {CKA_LABEL, k_label, sizeof k_label},
    {CKA_ID, k_id, sizeof k_id},
    {CKA_TOKEN, &k_true, sizeof k_true},
    {CKA_PRIVATE, &k_true, sizeof k_true},
    {CKA_SENSITIVE, &k_true, sizeof k_true},
    {CKA_ALWAYS_SENSITIVE, &k_true, sizeof k_true},
    {CKA_EXTRACTABLE, &k_false, sizeof k_false},
    {CKA_NEVER_EXTRACTABLE, &k_true, sizeof k_true},
    {CKA_SIGN, &k_true, sizeof k_true},
    {CKA_ALWAYS_AUTHENTICATE, &k_false, sizeof k_false},
    {CKA_EC_PARAMS, k_ec_params, sizeof k_ec_params},
};
enum { K_KEY_ATTR_COUNT = sizeof k_key_attrs / sizeof k_key_attrs[0] };

/* Its public half (handle 2, a token object visible without login), so a caller that
   insists on a public key object reaches C_Sign. The point is the P-256 generator G:
   a valid point whose private key (1) nobody would ship, wrapped in a DER OCTET STRING. */
static const CK_OBJECT_CLASS k_pub_class = CKO_PUBLIC_KEY;
static const unsigned char k_ec_point[] = {
    0x04, 0x41, 0x04,
    0x6b, 0x17, 0xd1, 0xf2, 0xe1, 0x2c, 0x42, 0x47, 0xf8, 0xbc, 0xe6, 0xe5, 0x63, 0xa4, 0x40, 0xf2,
    0x77, 0x03, 0x7d, 0x81, 0x2d, 0xeb, 0x33, 0xa0, 0xf4, 0xa1, 0x39, 0x45, 0xd8, 0x98, 0xc2, 0x96,
    0x4f, 0xe3, 0x42, 0xe2, 0xfe, 0x1a, 0x7f, 0x9b, 0x8e, 0xe7, 0xeb, 0x4a, 0x7c, 0x0f, 0x9e, 0x16,
    0x2b, 0xce, 0x33, 0x57, 0x6b, 0x31, 0x5e, 0xce, 0xcb, 0xb6, 0x40, 0x68, 0x37, 0xbf, 0x51, 0xf5};
static const struct fake_attr k_pub_attrs[] = {
    {CKA_CLASS, &k_pub_class, sizeof k_pub_class},
    {CKA_KEY_TYPE, &k_key_type, sizeof k_key_type},
    {CKA_LABEL, k_label, sizeof k_label},
    {CKA_ID, k_id, sizeof k_id},
    {CKA_TOKEN, &k_true, sizeof k_true},
    {CKA_PRIVATE, &k_false, sizeof k_false},
    {CKA_VERIFY, &k_true, sizeof k_true},
    {CKA_EC_PARAMS, k_ec_params, sizeof k_ec_params},
    {CKA_EC_POINT, k_ec_point, sizeof k_ec_point},
};
enum { K_PUB_ATTR_COUNT = sizeof k_pub_attrs / sizeof k_pub_attrs[0], FAKE_PUB_HANDLE = 2 };

/* ------------------------------------------------------------------------ */
/* Helpers (called with g_lock held)                                         */

static void pad(unsigned char *dst, size_t size, const char *src) {
    size_t n = strlen(src);
    memset(dst, ' ', size);
    memcpy(dst, src, n < size ? n : size);
}

static int token_present(void) { return g_mode != MODE_NO_TOKEN; }

static int pin_locked(void) {
    return g_mode == MODE_LOCKED || (g_mode == MODE_FINAL_TRY && g_pin_locked_by_final_try);
}

static CK_FLAGS token_flags(void) {
    CK_FLAGS f = CKF_TOKEN_INITIALIZED | CKF_LOGIN_REQUIRED | CKF_USER_PIN_INITIALIZED;
    if (pin_locked())
        f |= CKF_USER_PIN_LOCKED;
    else if (g_mode == MODE_FINAL_TRY)
        f |= CKF_USER_PIN_COUNT_LOW | CKF_USER_PIN_FINAL_TRY;
    return f;
}

static struct fake_session *find_session(CK_SESSION_HANDLE h) {
    if (h == CK_INVALID_HANDLE)
        return NULL;
    for (size_t i = 0; i < FAKE_MAX_SESSIONS; i++)
        if (g_sessions[i].in_use && g_sessions[i].handle == h)
            return &g_sessions[i];
    return NULL;
}

/* Common prologue: library initialised and session handle valid. */
static CK_RV get_session(CK_SESSION_HANDLE h, struct fake_session **out) {
    if (!g_initialized)
        return CKR_CRYPTOKI_NOT_INITIALIZED;
    *out = find_session(h);
    return *out ? CKR_OK : CKR_SESSION_HANDLE_INVALID;
}

static CK_RV check_slot(CK_SLOT_ID slot) {
    if (!g_initialized)
        return CKR_CRYPTOKI_NOT_INITIALIZED;
    return slot == FAKE_SLOT_ID ? CKR_OK : CKR_SLOT_ID_INVALID;
}

static void count_sessions(CK_ULONG *all, CK_ULONG *rw) {
    *all = 0;
    *rw = 0;
    for (size_t i = 0; i < FAKE_MAX_SESSIONS; i++) {
        if (!g_sessions[i].in_use)
            continue;
        (*all)++;
        if (g_sessions[i].flags & CKF_RW_SESSION)
            (*rw)++;
    }
}

/* The key exists only in sign-fails mode and, being private, is visible only
   after C_Login. */
static int key_visible(void) { return g_mode == MODE_SIGN_FAILS && g_logged_in; }

static int pub_visible(void) { return g_mode == MODE_SIGN_FAILS; }

static int object_visible(CK_OBJECT_HANDLE obj) {
    return (obj == FAKE_KEY_HANDLE && key_visible()) || (obj == FAKE_PUB_HANDLE && pub_visible());
}

static const struct fake_attr *object_attr(CK_OBJECT_HANDLE obj, CK_ATTRIBUTE_TYPE type) {
    const struct fake_attr *attrs = obj == FAKE_PUB_HANDLE ? k_pub_attrs : k_key_attrs;
    size_t count = obj == FAKE_PUB_HANDLE ? K_PUB_ATTR_COUNT : K_KEY_ATTR_COUNT;
    for (size_t i = 0; i < count; i++)
        if (attrs[i].type == type)
            return &attrs[i];
    return NULL;
}

/* Constant-time comparison (length leak only) so the PIN is not probed by timing. */
static int pin_matches(const unsigned char *pin, CK_ULONG len) {
    unsigned char diff = 0;
    if (len != g_pin_len)
        return 0;
    for (size_t i = 0; i < g_pin_len; i++)
        diff |= (unsigned char)(pin[i] ^ g_pin[i]);
    return diff == 0;
}

static void wipe_pin(void) {
    volatile unsigned char *p = g_pin;
    for (size_t i = 0; i < sizeof g_pin; i++)
        p[i] = 0;
    g_pin_len = 0;
}

/* ------------------------------------------------------------------------ */
/* General-purpose functions                                                  */

static CK_RV do_Initialize(CK_VOID_PTR init_args) {
    if (g_initialized)
        return CKR_CRYPTOKI_ALREADY_INITIALIZED;
    if (init_args != NULL) {
        const CK_C_INITIALIZE_ARGS *a = init_args;
        int n = (a->CreateMutex != NULL) + (a->DestroyMutex != NULL) + (a->LockMutex != NULL) +
                (a->UnlockMutex != NULL);
        if (a->pReserved != NULL || (n != 0 && n != 4))
            return CKR_ARGUMENTS_BAD;
        /* Own locking via pthreads; fine whether or not CKF_OS_LOCKING_OK is set. */
    }

    const char *mode = getenv("FAKE_PKCS11_MODE");
    if (mode == NULL || strcmp(mode, "") == 0 || strcmp(mode, "ok") == 0)
        g_mode = MODE_OK;
    else if (strcmp(mode, "locked") == 0)
        g_mode = MODE_LOCKED;
    else if (strcmp(mode, "final-try") == 0)
        g_mode = MODE_FINAL_TRY;
    else if (strcmp(mode, "no-token") == 0)
        g_mode = MODE_NO_TOKEN;
    else if (strcmp(mode, "sign-fails") == 0)
        g_mode = MODE_SIGN_FAILS;
    else if (strcmp(mode, "init-fails") == 0)
        return CKR_GENERAL_ERROR;
    else
        return CKR_ARGUMENTS_BAD;

    const char *pin = getenv("FAKE_PKCS11_PIN");
    if (pin == NULL)
        pin = "1234";
    size_t len = strlen(pin);
    if (len > FAKE_PIN_MAX)
        return CKR_ARGUMENTS_BAD;
    wipe_pin();
    memcpy(g_pin, pin, len);
    g_pin_len = len;

    memset(g_sessions, 0, sizeof g_sessions);
    g_logged_in = 0;
    g_initialized = 1;
    return CKR_OK;
}

static CK_RV do_Finalize(CK_VOID_PTR reserved) {
    if (reserved != NULL)
        return CKR_ARGUMENTS_BAD;
    if (!g_initialized)
        return CKR_CRYPTOKI_NOT_INITIALIZED;
    memset(g_sessions, 0, sizeof g_sessions);
    g_logged_in = 0;
    wipe_pin();
    g_initialized = 0;
    return CKR_OK;
}

static CK_RV do_GetInfo(CK_INFO_PTR info) {
    if (!g_initialized)
        return CKR_CRYPTOKI_NOT_INITIALIZED;
    if (info == NULL)
        return CKR_ARGUMENTS_BAD;
    memset(info, 0, sizeof *info);
    info->cryptokiVersion.major = 2;
    info->cryptokiVersion.minor = 40;
    pad(info->manufacturerID, sizeof info->manufacturerID, "ota-toolchain tests");
    info->flags = 0;
    pad(info->libraryDescription, sizeof info->libraryDescription, "fake PKCS#11 module");
    info->libraryVersion.major = 1;
    info->libraryVersion.minor = 0;
    return CKR_OK;
}

/* ------------------------------------------------------------------------ */
/* Slot and token management                                                  */

static CK_RV do_GetSlotList(CK_BBOOL token_present_only, CK_SLOT_ID_PTR list, CK_ULONG_PTR count) {
    if (!g_initialized)
        return CKR_CRYPTOKI_NOT_INITIALIZED;
    if (count == NULL)
        return CKR_ARGUMENTS_BAD;
    CK_ULONG n = (token_present_only && !token_present()) ? 0 : 1;
    if (list == NULL) {
        *count = n;
        return CKR_OK;
    }
    if (*count < n) {
        *count = n;
        return CKR_BUFFER_TOO_SMALL;
    }
    if (n == 1)
        list[0] = FAKE_SLOT_ID;
    *count = n;
    return CKR_OK;
}

static CK_RV do_GetSlotInfo(CK_SLOT_ID slot, CK_SLOT_INFO_PTR info) {
    CK_RV rv = check_slot(slot);
    if (rv != CKR_OK)
        return rv;
    if (info == NULL)
        return CKR_ARGUMENTS_BAD;
    memset(info, 0, sizeof *info);
    pad(info->slotDescription, sizeof info->slotDescription, "fake slot");
    pad(info->manufacturerID, sizeof info->manufacturerID, "ota-toolchain tests");
    info->flags = CKF_REMOVABLE_DEVICE | (token_present() ? CKF_TOKEN_PRESENT : 0);
    info->hardwareVersion.major = 1;
    info->firmwareVersion.major = 1;
    return CKR_OK;
}

static CK_RV do_GetTokenInfo(CK_SLOT_ID slot, CK_TOKEN_INFO_PTR info) {
    CK_RV rv = check_slot(slot);
    if (rv != CKR_OK)
        return rv;
    if (info == NULL)
        return CKR_ARGUMENTS_BAD;
    if (!token_present())
        return CKR_TOKEN_NOT_PRESENT;
    CK_ULONG all, rw;
    count_sessions(&all, &rw);
    memset(info, 0, sizeof *info);
    pad(info->label, sizeof info->label, "fake-token");
    pad(info->manufacturerID, sizeof info->manufacturerID, "ota-toolchain tests");
    pad(info->model, sizeof info->model, "fake");
    pad(info->serialNumber, sizeof info->serialNumber, "FAKE0001");
    info->flags = token_flags();
    info->ulMaxSessionCount = FAKE_MAX_SESSIONS;
    info->ulSessionCount = all;
    info->ulMaxRwSessionCount = FAKE_MAX_SESSIONS;
    info->ulRwSessionCount = rw;
    info->ulMaxPinLen = FAKE_PIN_MAX;
    info->ulMinPinLen = 1;
    info->ulTotalPublicMemory = CK_UNAVAILABLE_INFORMATION;
    info->ulFreePublicMemory = CK_UNAVAILABLE_INFORMATION;
    info->ulTotalPrivateMemory = CK_UNAVAILABLE_INFORMATION;
    info->ulFreePrivateMemory = CK_UNAVAILABLE_INFORMATION;
    info->hardwareVersion.major = 1;
    info->firmwareVersion.major = 1;
    memset(info->utcTime, ' ', sizeof info->utcTime); /* no CKF_CLOCK_ON_TOKEN */
    return CKR_OK;
}

static CK_RV do_GetMechanismList(CK_SLOT_ID slot, CK_MECHANISM_TYPE_PTR list, CK_ULONG_PTR count) {
    CK_RV rv = check_slot(slot);
    if (rv != CKR_OK)
        return rv;
    if (count == NULL)
        return CKR_ARGUMENTS_BAD;
    if (!token_present())
        return CKR_TOKEN_NOT_PRESENT;
    if (list == NULL) {
        *count = 1;
        return CKR_OK;
    }
    if (*count < 1) {
        *count = 1;
        return CKR_BUFFER_TOO_SMALL;
    }
    list[0] = CKM_ECDSA;
    *count = 1;
    return CKR_OK;
}

static CK_RV do_GetMechanismInfo(CK_SLOT_ID slot, CK_MECHANISM_TYPE type, CK_MECHANISM_INFO_PTR info) {
    CK_RV rv = check_slot(slot);
    if (rv != CKR_OK)
        return rv;
    if (info == NULL)
        return CKR_ARGUMENTS_BAD;
    if (!token_present())
        return CKR_TOKEN_NOT_PRESENT;
    if (type != CKM_ECDSA)
        return CKR_MECHANISM_INVALID;
    info->ulMinKeySize = 256;
    info->ulMaxKeySize = 256;
    info->flags = CKF_HW | CKF_SIGN | CKF_EC_F_P | CKF_EC_NAMEDCURVE | CKF_EC_UNCOMPRESS;
    return CKR_OK;
}

/* ------------------------------------------------------------------------ */
/* Session management                                                         */

static CK_RV do_OpenSession(CK_SLOT_ID slot, CK_FLAGS flags, CK_VOID_PTR app, CK_NOTIFY notify,
                            CK_SESSION_HANDLE_PTR out) {
    (void)app;    /* callbacks are never made */
    (void)notify;
    CK_RV rv = check_slot(slot);
    if (rv != CKR_OK)
        return rv;
    if (out == NULL)
        return CKR_ARGUMENTS_BAD;
    if (!(flags & CKF_SERIAL_SESSION))
        return CKR_SESSION_PARALLEL_NOT_SUPPORTED;
    if (!token_present())
        return CKR_TOKEN_NOT_PRESENT;
    for (size_t i = 0; i < FAKE_MAX_SESSIONS; i++) {
        if (g_sessions[i].in_use)
            continue;
        memset(&g_sessions[i], 0, sizeof g_sessions[i]);
        g_sessions[i].in_use = 1;
        g_sessions[i].handle = g_next_handle++;
        g_sessions[i].flags = flags & (CKF_SERIAL_SESSION | CKF_RW_SESSION);
        *out = g_sessions[i].handle;
        return CKR_OK;
    }
    return CKR_SESSION_COUNT;
}

static void close_session(struct fake_session *s) {
    memset(s, 0, sizeof *s);
    CK_ULONG all, rw;
    count_sessions(&all, &rw);
    if (all == 0)
        g_logged_in = 0; /* closing the last session logs the user out */
}

static CK_RV do_CloseSession(CK_SESSION_HANDLE h) {
    struct fake_session *s;
    CK_RV rv = get_session(h, &s);
    if (rv != CKR_OK)
        return rv;
    close_session(s);
    return CKR_OK;
}

static CK_RV do_CloseAllSessions(CK_SLOT_ID slot) {
    CK_RV rv = check_slot(slot);
    if (rv != CKR_OK)
        return rv;
    for (size_t i = 0; i < FAKE_MAX_SESSIONS; i++)
        if (g_sessions[i].in_use)
            close_session(&g_sessions[i]);
    g_logged_in = 0;
    return CKR_OK;
}

static CK_RV do_GetSessionInfo(CK_SESSION_HANDLE h, CK_SESSION_INFO_PTR info) {
    struct fake_session *s;
    CK_RV rv = get_session(h, &s);
    if (rv != CKR_OK)
        return rv;
    if (info == NULL)
        return CKR_ARGUMENTS_BAD;
    int rw = (s->flags & CKF_RW_SESSION) != 0;
    info->slotID = FAKE_SLOT_ID;
    if (g_logged_in)
        info->state = rw ? CKS_RW_USER_FUNCTIONS : CKS_RO_USER_FUNCTIONS;
    else
        info->state = rw ? CKS_RW_PUBLIC_SESSION : CKS_RO_PUBLIC_SESSION;
    info->flags = s->flags;
    info->ulDeviceError = 0;
    return CKR_OK;
}

static CK_RV do_Login(CK_SESSION_HANDLE h, CK_USER_TYPE user, CK_UTF8CHAR_PTR pin, CK_ULONG len) {
    struct fake_session *s;
    CK_RV rv = get_session(h, &s);
    if (rv != CKR_OK)
        return rv;
    if (user != CKU_USER)
        return CKR_USER_TYPE_INVALID; /* only the normal user exists here */
    if (g_logged_in)
        return CKR_USER_ALREADY_LOGGED_IN;
    if (pin == NULL && len != 0)
        return CKR_ARGUMENTS_BAD; /* no protected authentication path */
    if (pin_locked())
        return CKR_PIN_LOCKED;
    if (!pin_matches(pin, len)) {
        if (g_mode == MODE_FINAL_TRY)
            g_pin_locked_by_final_try = 1;
        return CKR_PIN_INCORRECT;
    }
    g_logged_in = 1;
    return CKR_OK;
}

static CK_RV do_Logout(CK_SESSION_HANDLE h) {
    struct fake_session *s;
    CK_RV rv = get_session(h, &s);
    if (rv != CKR_OK)
        return rv;
    if (!g_logged_in)
        return CKR_USER_NOT_LOGGED_IN;
    g_logged_in = 0;
    return CKR_OK;
}

/* ------------------------------------------------------------------------ */
/* Objects                                                                    */

static CK_RV do_GetAttributeValue(CK_SESSION_HANDLE h, CK_OBJECT_HANDLE obj, CK_ATTRIBUTE_PTR templ,
                                  CK_ULONG count) {
    struct fake_session *s;
    CK_RV rv = get_session(h, &s);
    if (rv != CKR_OK)
        return rv;
    if (templ == NULL && count != 0)
        return CKR_ARGUMENTS_BAD;
    if (!object_visible(obj))
        return CKR_OBJECT_HANDLE_INVALID;

    /* Every attribute is processed; the first error is the one returned. */
    for (CK_ULONG i = 0; i < count; i++) {
        CK_ATTRIBUTE *a = &templ[i];
        CK_RV this_rv = CKR_OK;
        const struct fake_attr *fa = object_attr(obj, a->type);
        if (a->type == CKA_VALUE && obj == FAKE_KEY_HANDLE) {
            a->ulValueLen = CK_UNAVAILABLE_INFORMATION;
            this_rv = CKR_ATTRIBUTE_SENSITIVE;
        } else if (fa == NULL) {
            a->ulValueLen = CK_UNAVAILABLE_INFORMATION;
            this_rv = CKR_ATTRIBUTE_TYPE_INVALID;
        } else if (a->pValue == NULL) {
            a->ulValueLen = fa->len;
        } else if (a->ulValueLen < fa->len) {
            a->ulValueLen = CK_UNAVAILABLE_INFORMATION;
            this_rv = CKR_BUFFER_TOO_SMALL;
        } else {
            memcpy(a->pValue, fa->value, fa->len);
            a->ulValueLen = fa->len;
        }
        if (rv == CKR_OK)
            rv = this_rv;
    }
    return rv;
}

static CK_RV do_FindObjectsInit(CK_SESSION_HANDLE h, CK_ATTRIBUTE_PTR templ, CK_ULONG count) {
    struct fake_session *s;
    CK_RV rv = get_session(h, &s);
    if (rv != CKR_OK)
        return rv;
    if (templ == NULL && count != 0)
        return CKR_ARGUMENTS_BAD;
    if (s->find_active)
        return CKR_OPERATION_ACTIVE;

    /* find_match: bit 0 = the private key matches, bit 1 = the public key matches. */
    int match = 0;
    for (CK_OBJECT_HANDLE obj = FAKE_KEY_HANDLE; obj <= FAKE_PUB_HANDLE; obj++) {
        int ok = object_visible(obj);
        for (CK_ULONG i = 0; ok && i < count; i++) {
            const CK_ATTRIBUTE *a = &templ[i];
            if (a->pValue == NULL && a->ulValueLen != 0)
                return CKR_ARGUMENTS_BAD;
            const struct fake_attr *fa = object_attr(obj, a->type);
            if (fa == NULL || fa->len != a->ulValueLen ||
                (fa->len != 0 && memcmp(fa->value, a->pValue, fa->len) != 0))
                ok = 0;
        }
        if (ok)
            match |= 1 << (obj - FAKE_KEY_HANDLE);
    }
    s->find_active = 1;
    s->find_done = 0;
    s->find_match = match;
    return CKR_OK;
}

static CK_RV do_FindObjects(CK_SESSION_HANDLE h, CK_OBJECT_HANDLE_PTR out, CK_ULONG max,
                            CK_ULONG_PTR found) {
    struct fake_session *s;
    CK_RV rv = get_session(h, &s);
    if (rv != CKR_OK)
        return rv;
    if (found == NULL || (out == NULL && max != 0))
        return CKR_ARGUMENTS_BAD;
    if (!s->find_active)
        return CKR_OPERATION_NOT_INITIALIZED;
    *found = 0;
    /* find_done: the bits of find_match already returned. */
    for (CK_OBJECT_HANDLE obj = FAKE_KEY_HANDLE; obj <= FAKE_PUB_HANDLE && *found < max; obj++) {
        int bit = 1 << (obj - FAKE_KEY_HANDLE);
        if ((s->find_match & bit) && !(s->find_done & bit)) {
            out[(*found)++] = obj;
            s->find_done |= bit;
        }
    }
    return CKR_OK;
}

static CK_RV do_FindObjectsFinal(CK_SESSION_HANDLE h) {
    struct fake_session *s;
    CK_RV rv = get_session(h, &s);
    if (rv != CKR_OK)
        return rv;
    if (!s->find_active)
        return CKR_OPERATION_NOT_INITIALIZED;
    s->find_active = 0;
    s->find_done = 0;
    s->find_match = 0;
    return CKR_OK;
}

/* ------------------------------------------------------------------------ */
/* Signing (sign-fails mode is the only one with a key)                       */

static CK_RV do_SignInit(CK_SESSION_HANDLE h, CK_MECHANISM_PTR mech, CK_OBJECT_HANDLE key) {
    struct fake_session *s;
    CK_RV rv = get_session(h, &s);
    if (rv != CKR_OK)
        return rv;
    if (mech == NULL)
        return CKR_ARGUMENTS_BAD;
    if (s->sign_active)
        return CKR_OPERATION_ACTIVE;
    if (mech->mechanism != CKM_ECDSA)
        return CKR_MECHANISM_INVALID;
    if (key != FAKE_KEY_HANDLE || g_mode != MODE_SIGN_FAILS)
        return CKR_KEY_HANDLE_INVALID;
    if (!g_logged_in)
        return CKR_USER_NOT_LOGGED_IN;
    s->sign_active = 1;
    return CKR_OK;
}

static CK_RV do_Sign(CK_SESSION_HANDLE h, CK_BYTE_PTR data, CK_ULONG data_len, CK_BYTE_PTR sig,
                     CK_ULONG_PTR sig_len) {
    (void)sig; /* never written: the device "fails" */
    struct fake_session *s;
    CK_RV rv = get_session(h, &s);
    if (rv != CKR_OK)
        return rv;
    if (!s->sign_active)
        return CKR_OPERATION_NOT_INITIALIZED;
    s->sign_active = 0; /* any error other than a size query ends the operation */
    if ((data == NULL && data_len != 0) || sig_len == NULL)
        return CKR_ARGUMENTS_BAD;
    return CKR_DEVICE_ERROR;
}

/* ------------------------------------------------------------------------ */
/* Locked entry points: every implemented function runs under g_lock.         */

#define FAKE_LOCKED(name, params, args)                                                            \
    static CK_RV fake_##name params {                                                              \
        pthread_mutex_lock(&g_lock);                                                               \
        CK_RV rv = do_##name args;                                                                 \
        pthread_mutex_unlock(&g_lock);                                                             \
        return rv;                                                                                 \
    }

FAKE_LOCKED(Initialize, (CK_VOID_PTR a), (a))
FAKE_LOCKED(Finalize, (CK_VOID_PTR r), (r))
FAKE_LOCKED(GetInfo, (CK_INFO_PTR i), (i))
FAKE_LOCKED(GetSlotList, (CK_BBOOL p, CK_SLOT_ID_PTR l, CK_ULONG_PTR c), (p, l, c))
FAKE_LOCKED(GetSlotInfo, (CK_SLOT_ID s, CK_SLOT_INFO_PTR i), (s, i))
FAKE_LOCKED(GetTokenInfo, (CK_SLOT_ID s, CK_TOKEN_INFO_PTR i), (s, i))
FAKE_LOCKED(GetMechanismList, (CK_SLOT_ID s, CK_MECHANISM_TYPE_PTR l, CK_ULONG_PTR c), (s, l, c))
FAKE_LOCKED(GetMechanismInfo, (CK_SLOT_ID s, CK_MECHANISM_TYPE t, CK_MECHANISM_INFO_PTR i), (s, t, i))
FAKE_LOCKED(OpenSession,
            (CK_SLOT_ID s, CK_FLAGS f, CK_VOID_PTR a, CK_NOTIFY n, CK_SESSION_HANDLE_PTR h),
            (s, f, a, n, h))
FAKE_LOCKED(CloseSession, (CK_SESSION_HANDLE h), (h))
FAKE_LOCKED(CloseAllSessions, (CK_SLOT_ID s), (s))
FAKE_LOCKED(GetSessionInfo, (CK_SESSION_HANDLE h, CK_SESSION_INFO_PTR i), (h, i))
FAKE_LOCKED(Login, (CK_SESSION_HANDLE h, CK_USER_TYPE u, CK_UTF8CHAR_PTR p, CK_ULONG l), (h, u, p, l))
FAKE_LOCKED(Logout, (CK_SESSION_HANDLE h), (h))
FAKE_LOCKED(GetAttributeValue, (CK_SESSION_HANDLE h, CK_OBJECT_HANDLE o, CK_ATTRIBUTE_PTR t, CK_ULONG c),
            (h, o, t, c))
FAKE_LOCKED(FindObjectsInit, (CK_SESSION_HANDLE h, CK_ATTRIBUTE_PTR t, CK_ULONG c), (h, t, c))
FAKE_LOCKED(FindObjects, (CK_SESSION_HANDLE h, CK_OBJECT_HANDLE_PTR o, CK_ULONG m, CK_ULONG_PTR c),
            (h, o, m, c))
FAKE_LOCKED(FindObjectsFinal, (CK_SESSION_HANDLE h), (h))
FAKE_LOCKED(SignInit, (CK_SESSION_HANDLE h, CK_MECHANISM_PTR m, CK_OBJECT_HANDLE k), (h, m, k))
FAKE_LOCKED(Sign, (CK_SESSION_HANDLE h, CK_BYTE_PTR d, CK_ULONG dl, CK_BYTE_PTR s, CK_ULONG_PTR sl),
            (h, d, dl, s, sl))

/* ------------------------------------------------------------------------ */
/* Unsupported functions: correctly typed stubs.                              */

#define FAKE_STUB(name, params, ...)                                                               \
    static CK_RV fake_##name params {                                                              \
        __VA_ARGS__;                                                                               \
        return CKR_FUNCTION_NOT_SUPPORTED;                                                         \
    }

typedef CK_SESSION_HANDLE SH;
typedef CK_OBJECT_HANDLE OH;

FAKE_STUB(InitToken, (CK_SLOT_ID s, CK_UTF8CHAR_PTR p, CK_ULONG l, CK_UTF8CHAR_PTR lb),
          (void)s; (void)p; (void)l; (void)lb)
FAKE_STUB(InitPIN, (SH h, CK_UTF8CHAR_PTR p, CK_ULONG l), (void)h; (void)p; (void)l)
FAKE_STUB(SetPIN, (SH h, CK_UTF8CHAR_PTR o, CK_ULONG ol, CK_UTF8CHAR_PTR n, CK_ULONG nl),
          (void)h; (void)o; (void)ol; (void)n; (void)nl)
FAKE_STUB(GetOperationState, (SH h, CK_BYTE_PTR st, CK_ULONG_PTR l), (void)h; (void)st; (void)l)
FAKE_STUB(SetOperationState, (SH h, CK_BYTE_PTR st, CK_ULONG l, OH e, OH a),
          (void)h; (void)st; (void)l; (void)e; (void)a)
FAKE_STUB(CreateObject, (SH h, CK_ATTRIBUTE_PTR t, CK_ULONG c, CK_OBJECT_HANDLE_PTR o),
          (void)h; (void)t; (void)c; (void)o)
FAKE_STUB(CopyObject, (SH h, OH o, CK_ATTRIBUTE_PTR t, CK_ULONG c, CK_OBJECT_HANDLE_PTR n),
          (void)h; (void)o; (void)t; (void)c; (void)n)
FAKE_STUB(DestroyObject, (SH h, OH o), (void)h; (void)o)
FAKE_STUB(GetObjectSize, (SH h, OH o, CK_ULONG_PTR s), (void)h; (void)o; (void)s)
FAKE_STUB(SetAttributeValue, (SH h, OH o, CK_ATTRIBUTE_PTR t, CK_ULONG c),
          (void)h; (void)o; (void)t; (void)c)
FAKE_STUB(EncryptInit, (SH h, CK_MECHANISM_PTR m, OH k), (void)h; (void)m; (void)k)
FAKE_STUB(Encrypt, (SH h, CK_BYTE_PTR d, CK_ULONG dl, CK_BYTE_PTR e, CK_ULONG_PTR el),
          (void)h; (void)d; (void)dl; (void)e; (void)el)
FAKE_STUB(EncryptUpdate, (SH h, CK_BYTE_PTR p, CK_ULONG pl, CK_BYTE_PTR e, CK_ULONG_PTR el),
          (void)h; (void)p; (void)pl; (void)e; (void)el)
FAKE_STUB(EncryptFinal, (SH h, CK_BYTE_PTR e, CK_ULONG_PTR el), (void)h; (void)e; (void)el)
FAKE_STUB(DecryptInit, (SH h, CK_MECHANISM_PTR m, OH k), (void)h; (void)m; (void)k)
FAKE_STUB(Decrypt, (SH h, CK_BYTE_PTR e, CK_ULONG el, CK_BYTE_PTR d, CK_ULONG_PTR dl),
          (void)h; (void)e; (void)el; (void)d; (void)dl)
FAKE_STUB(DecryptUpdate, (SH h, CK_BYTE_PTR e, CK_ULONG el, CK_BYTE_PTR p, CK_ULONG_PTR pl),
          (void)h; (void)e; (void)el; (void)p; (void)pl)
FAKE_STUB(DecryptFinal, (SH h, CK_BYTE_PTR p, CK_ULONG_PTR pl), (void)h; (void)p; (void)pl)
FAKE_STUB(DigestInit, (SH h, CK_MECHANISM_PTR m), (void)h; (void)m)
FAKE_STUB(Digest, (SH h, CK_BYTE_PTR d, CK_ULONG dl, CK_BYTE_PTR g, CK_ULONG_PTR gl),
          (void)h; (void)d; (void)dl; (void)g; (void)gl)
FAKE_STUB(DigestUpdate, (SH h, CK_BYTE_PTR p, CK_ULONG pl), (void)h; (void)p; (void)pl)
FAKE_STUB(DigestKey, (SH h, OH k), (void)h; (void)k)
FAKE_STUB(DigestFinal, (SH h, CK_BYTE_PTR g, CK_ULONG_PTR gl), (void)h; (void)g; (void)gl)
FAKE_STUB(SignUpdate, (SH h, CK_BYTE_PTR p, CK_ULONG pl), (void)h; (void)p; (void)pl)
FAKE_STUB(SignFinal, (SH h, CK_BYTE_PTR s, CK_ULONG_PTR sl), (void)h; (void)s; (void)sl)
FAKE_STUB(SignRecoverInit, (SH h, CK_MECHANISM_PTR m, OH k), (void)h; (void)m; (void)k)
FAKE_STUB(SignRecover, (SH h, CK_BYTE_PTR d, CK_ULONG dl, CK_BYTE_PTR s, CK_ULONG_PTR sl),
          (void)h; (void)d; (void)dl; (void)s; (void)sl)
FAKE_STUB(VerifyInit, (SH h, CK_MECHANISM_PTR m, OH k), (void)h; (void)m; (void)k)
FAKE_STUB(Verify, (SH h, CK_BYTE_PTR d, CK_ULONG dl, CK_BYTE_PTR s, CK_ULONG sl),
          (void)h; (void)d; (void)dl; (void)s; (void)sl)
FAKE_STUB(VerifyUpdate, (SH h, CK_BYTE_PTR p, CK_ULONG pl), (void)h; (void)p; (void)pl)
FAKE_STUB(VerifyFinal, (SH h, CK_BYTE_PTR s, CK_ULONG sl), (void)h; (void)s; (void)sl)
FAKE_STUB(VerifyRecoverInit, (SH h, CK_MECHANISM_PTR m, OH k), (void)h; (void)m; (void)k)
FAKE_STUB(VerifyRecover, (SH h, CK_BYTE_PTR s, CK_ULONG sl, CK_BYTE_PTR d, CK_ULONG_PTR dl),
          (void)h; (void)s; (void)sl; (void)d; (void)dl)
FAKE_STUB(DigestEncryptUpdate, (SH h, CK_BYTE_PTR p, CK_ULONG pl, CK_BYTE_PTR e, CK_ULONG_PTR el),
          (void)h; (void)p; (void)pl; (void)e; (void)el)
FAKE_STUB(DecryptDigestUpdate, (SH h, CK_BYTE_PTR e, CK_ULONG el, CK_BYTE_PTR p, CK_ULONG_PTR pl),
          (void)h; (void)e; (void)el; (void)p; (void)pl)
FAKE_STUB(SignEncryptUpdate, (SH h, CK_BYTE_PTR p, CK_ULONG pl, CK_BYTE_PTR e, CK_ULONG_PTR el),
          (void)h; (void)p; (void)pl; (void)e; (void)el)
FAKE_STUB(DecryptVerifyUpdate, (SH h, CK_BYTE_PTR e, CK_ULONG el, CK_BYTE_PTR p, CK_ULONG_PTR pl),
          (void)h; (void)e; (void)el; (void)p; (void)pl)
FAKE_STUB(GenerateKey, (SH h, CK_MECHANISM_PTR m, CK_ATTRIBUTE_PTR t, CK_ULONG c, CK_OBJECT_HANDLE_PTR k),
          (void)h; (void)m; (void)t; (void)c; (void)k)
FAKE_STUB(GenerateKeyPair,
          (SH h, CK_MECHANISM_PTR m, CK_ATTRIBUTE_PTR pt, CK_ULONG pc, CK_ATTRIBUTE_PTR st, CK_ULONG sc,
           CK_OBJECT_HANDLE_PTR pk, CK_OBJECT_HANDLE_PTR sk),
          (void)h; (void)m; (void)pt; (void)pc; (void)st; (void)sc; (void)pk; (void)sk)
FAKE_STUB(WrapKey, (SH h, CK_MECHANISM_PTR m, OH w, OH k, CK_BYTE_PTR o, CK_ULONG_PTR ol),
          (void)h; (void)m; (void)w; (void)k; (void)o; (void)ol)
FAKE_STUB(UnwrapKey,
          (SH h, CK_MECHANISM_PTR m, OH u, CK_BYTE_PTR w, CK_ULONG wl, CK_ATTRIBUTE_PTR t, CK_ULONG c,
           CK_OBJECT_HANDLE_PTR k),
          (void)h; (void)m; (void)u; (void)w; (void)wl; (void)t; (void)c; (void)k)
FAKE_STUB(DeriveKey,
          (SH h, CK_MECHANISM_PTR m, OH b, CK_ATTRIBUTE_PTR t, CK_ULONG c, CK_OBJECT_HANDLE_PTR k),
          (void)h; (void)m; (void)b; (void)t; (void)c; (void)k)
FAKE_STUB(SeedRandom, (SH h, CK_BYTE_PTR s, CK_ULONG l), (void)h; (void)s; (void)l)
FAKE_STUB(GenerateRandom, (SH h, CK_BYTE_PTR r, CK_ULONG l), (void)h; (void)r; (void)l)
FAKE_STUB(GetFunctionStatus, (SH h), (void)h)
FAKE_STUB(CancelFunction, (SH h), (void)h)
FAKE_STUB(WaitForSlotEvent, (CK_FLAGS f, CK_SLOT_ID_PTR s, CK_VOID_PTR r), (void)f; (void)s; (void)r)

/* ------------------------------------------------------------------------ */
/* The function list (every entry set; the compiler checks each type).        */

static CK_FUNCTION_LIST g_function_list = {
    .version = {2, 40},
    .C_Initialize = fake_Initialize,
    .C_Finalize = fake_Finalize,
    .C_GetInfo = fake_GetInfo,
    .C_GetFunctionList = C_GetFunctionList,
    .C_GetSlotList = fake_GetSlotList,
    .C_GetSlotInfo = fake_GetSlotInfo,
    .C_GetTokenInfo = fake_GetTokenInfo,
    .C_GetMechanismList = fake_GetMechanismList,
    .C_GetMechanismInfo = fake_GetMechanismInfo,
    .C_InitToken = fake_InitToken,
    .C_InitPIN = fake_InitPIN,
    .C_SetPIN = fake_SetPIN,
    .C_OpenSession = fake_OpenSession,
    .C_CloseSession = fake_CloseSession,
    .C_CloseAllSessions = fake_CloseAllSessions,
    .C_GetSessionInfo = fake_GetSessionInfo,
    .C_GetOperationState = fake_GetOperationState,
    .C_SetOperationState = fake_SetOperationState,
    .C_Login = fake_Login,
    .C_Logout = fake_Logout,
    .C_CreateObject = fake_CreateObject,
    .C_CopyObject = fake_CopyObject,
    .C_DestroyObject = fake_DestroyObject,
    .C_GetObjectSize = fake_GetObjectSize,
    .C_GetAttributeValue = fake_GetAttributeValue,
    .C_SetAttributeValue = fake_SetAttributeValue,
    .C_FindObjectsInit = fake_FindObjectsInit,
    .C_FindObjects = fake_FindObjects,
    .C_FindObjectsFinal = fake_FindObjectsFinal,
    .C_EncryptInit = fake_EncryptInit,
    .C_Encrypt = fake_Encrypt,
    .C_EncryptUpdate = fake_EncryptUpdate,
    .C_EncryptFinal = fake_EncryptFinal,
    .C_DecryptInit = fake_DecryptInit,
    .C_Decrypt = fake_Decrypt,
    .C_DecryptUpdate = fake_DecryptUpdate,
    .C_DecryptFinal = fake_DecryptFinal,
    .C_DigestInit = fake_DigestInit,
    .C_Digest = fake_Digest,
    .C_DigestUpdate = fake_DigestUpdate,
    .C_DigestKey = fake_DigestKey,
    .C_DigestFinal = fake_DigestFinal,
    .C_SignInit = fake_SignInit,
    .C_Sign = fake_Sign,
    .C_SignUpdate = fake_SignUpdate,
    .C_SignFinal = fake_SignFinal,
    .C_SignRecoverInit = fake_SignRecoverInit,
    .C_SignRecover = fake_SignRecover,
    .C_VerifyInit = fake_VerifyInit,
    .C_Verify = fake_Verify,
    .C_VerifyUpdate = fake_VerifyUpdate,
    .C_VerifyFinal = fake_VerifyFinal,
    .C_VerifyRecoverInit = fake_VerifyRecoverInit,
    .C_VerifyRecover = fake_VerifyRecover,
    .C_DigestEncryptUpdate = fake_DigestEncryptUpdate,
    .C_DecryptDigestUpdate = fake_DecryptDigestUpdate,
    .C_SignEncryptUpdate = fake_SignEncryptUpdate,
    .C_DecryptVerifyUpdate = fake_DecryptVerifyUpdate,
    .C_GenerateKey = fake_GenerateKey,
    .C_GenerateKeyPair = fake_GenerateKeyPair,
    .C_WrapKey = fake_WrapKey,
    .C_UnwrapKey = fake_UnwrapKey,
    .C_DeriveKey = fake_DeriveKey,
    .C_SeedRandom = fake_SeedRandom,
    .C_GenerateRandom = fake_GenerateRandom,
    .C_GetFunctionStatus = fake_GetFunctionStatus,
    .C_CancelFunction = fake_CancelFunction,
    .C_WaitForSlotEvent = fake_WaitForSlotEvent,
};

/* The only exported symbol. Callable before C_Initialize, as the standard requires. */
FAKE_EXPORT CK_RV C_GetFunctionList(CK_FUNCTION_LIST_PTR_PTR list) {
    if (list == NULL)
        return CKR_ARGUMENTS_BAD;
    *list = &g_function_list;
    return CKR_OK;
}

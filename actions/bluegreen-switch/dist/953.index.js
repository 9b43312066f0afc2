export const id = 953;
export const ids = [953];
export const modules = {

/***/ 2953:
/***/ ((__unused_webpack_module, __webpack_exports__, __webpack_require__) => {

__webpack_require__.r(__webpack_exports__);
/* harmony export */ __webpack_require__.d(__webpack_exports__, {
/* harmony export */   createKube: () => (/* binding */ createKube),
/* harmony export */   isStatus: () => (/* binding */ isStatus)
/* harmony export */ });
/* harmony import */ var _expeditor_shared_kube_connect__WEBPACK_IMPORTED_MODULE_0__ = __webpack_require__(6841);
/* harmony import */ var _expeditor_shared_retry__WEBPACK_IMPORTED_MODULE_1__ = __webpack_require__(3533);


function isStatus(error, code) {
    return (0,_expeditor_shared_kube_connect__WEBPACK_IMPORTED_MODULE_0__.statusOf)(error) === code;
}
/** Reads retried only on throttling, 5xx and dropped connections; a 404 is an answer. */
async function read(fn) {
    try {
        return await (0,_expeditor_shared_retry__WEBPACK_IMPORTED_MODULE_1__/* .withRetry */ .bD)(() => fn(), { retries: 3, minDelayMs: 100 });
    }
    catch (error) {
        if (isStatus(error, 404))
            return undefined;
        throw error;
    }
}
function createKube(connection) {
    const { core, apps, networking, discovery } = connection;
    const merge = connection.patchOptions('merge');
    return {
        connection,
        readService: (namespace, name) => read(() => core.readNamespacedService({ namespace, name })),
        readDeployment: (namespace, name) => read(() => apps.readNamespacedDeployment({ namespace, name })),
        readIngress: (namespace, name) => read(() => networking.readNamespacedIngress({ namespace, name })),
        readPod: (namespace, name) => read(() => core.readNamespacedPod({ namespace, name })),
        listPods: async (namespace, labelSelector) => (await read(() => core.listNamespacedPod({ namespace, labelSelector })))?.items ?? [],
        listSlices: async (namespace, service) => (await read(() => discovery.listNamespacedEndpointSlice({ namespace, labelSelector: `kubernetes.io/service-name=${service}` })))?.items ?? [],
        // Writes are not retried here: a guarded write that reached the server once must not be
        // mistaken for someone else's when it is sent again (see guard.ts).
        patchService: (namespace, name, body) => core.patchNamespacedService({ namespace, name, body }, merge),
        patchIngress: (namespace, name, body) => networking.patchNamespacedIngress({ namespace, name, body }, merge),
        patchDeployment: (namespace, name, body) => apps.patchNamespacedDeployment({ namespace, name, body }, merge),
        deleteService: async (namespace, name) => {
            try {
                await core.deleteNamespacedService({ namespace, name });
                return true;
            }
            catch (error) {
                if (isStatus(error, 404))
                    return false;
                throw error;
            }
        },
    };
}


/***/ })

};

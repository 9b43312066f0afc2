export const id = 279;
export const ids = [279];
export const modules = {

/***/ 8279:
/***/ ((__unused_webpack_module, __webpack_exports__, __webpack_require__) => {

__webpack_require__.r(__webpack_exports__);
/* harmony export */ __webpack_require__.d(__webpack_exports__, {
/* harmony export */   ApiException: () => (/* reexport safe */ _kubernetes_client_node_dist_gen_index_js__WEBPACK_IMPORTED_MODULE_2__.UJ4),
/* harmony export */   AppsV1Api: () => (/* reexport safe */ _kubernetes_client_node_dist_gen_index_js__WEBPACK_IMPORTED_MODULE_2__.eY6),
/* harmony export */   AutoscalingV2Api: () => (/* reexport safe */ _kubernetes_client_node_dist_gen_index_js__WEBPACK_IMPORTED_MODULE_2__.ffz),
/* harmony export */   CoreV1Api: () => (/* reexport safe */ _kubernetes_client_node_dist_gen_index_js__WEBPACK_IMPORTED_MODULE_2__.f5Y),
/* harmony export */   DiscoveryV1Api: () => (/* reexport safe */ _kubernetes_client_node_dist_gen_index_js__WEBPACK_IMPORTED_MODULE_2__.oNq),
/* harmony export */   KubeConfig: () => (/* reexport safe */ _kubernetes_client_node_dist_config_js__WEBPACK_IMPORTED_MODULE_0__.yp),
/* harmony export */   NetworkingV1Api: () => (/* reexport safe */ _kubernetes_client_node_dist_gen_index_js__WEBPACK_IMPORTED_MODULE_2__.sGP),
/* harmony export */   PatchStrategy: () => (/* reexport safe */ _kubernetes_client_node_dist_patch_js__WEBPACK_IMPORTED_MODULE_3__.Q),
/* harmony export */   RequestContext: () => (/* reexport safe */ _kubernetes_client_node_dist_gen_index_js__WEBPACK_IMPORTED_MODULE_2__.bb4),
/* harmony export */   ResponseContext: () => (/* reexport safe */ _kubernetes_client_node_dist_gen_index_js__WEBPACK_IMPORTED_MODULE_2__.dud),
/* harmony export */   ServerConfiguration: () => (/* reexport safe */ _kubernetes_client_node_dist_gen_index_js__WEBPACK_IMPORTED_MODULE_2__.i04),
/* harmony export */   VersionApi: () => (/* reexport safe */ _kubernetes_client_node_dist_gen_index_js__WEBPACK_IMPORTED_MODULE_2__.Nq_),
/* harmony export */   Watch: () => (/* reexport safe */ _kubernetes_client_node_dist_watch_js__WEBPACK_IMPORTED_MODULE_1__.o),
/* harmony export */   createConfiguration: () => (/* reexport safe */ _kubernetes_client_node_dist_gen_index_js__WEBPACK_IMPORTED_MODULE_2__.$v4),
/* harmony export */   setHeaderOptions: () => (/* reexport safe */ _kubernetes_client_node_dist_middleware_js__WEBPACK_IMPORTED_MODULE_4__.v)
/* harmony export */ });
/* harmony import */ var _kubernetes_client_node_dist_config_js__WEBPACK_IMPORTED_MODULE_0__ = __webpack_require__(4591);
/* harmony import */ var _kubernetes_client_node_dist_watch_js__WEBPACK_IMPORTED_MODULE_1__ = __webpack_require__(9501);
/* harmony import */ var _kubernetes_client_node_dist_gen_index_js__WEBPACK_IMPORTED_MODULE_2__ = __webpack_require__(2389);
/* harmony import */ var _kubernetes_client_node_dist_patch_js__WEBPACK_IMPORTED_MODULE_3__ = __webpack_require__(7517);
/* harmony import */ var _kubernetes_client_node_dist_middleware_js__WEBPACK_IMPORTED_MODULE_4__ = __webpack_require__(2045);
// The one place @kubernetes/client-node is imported for its code: only the pieces the actions use
// (kubeconfig loading, the typed API groups we call, Watch, patch content types), by deep path so
// the bundle leaves out exec/attach/port-forward/cp/metrics and their dependencies. Load this
// module with import() once the inputs are valid: it costs a few hundred milliseconds to start.







/***/ })

};

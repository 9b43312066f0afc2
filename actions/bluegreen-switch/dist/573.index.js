export const id = 573;
export const ids = [573];
export const modules = {

/***/ 7573:
/***/ ((__unused_webpack_module, __webpack_exports__, __webpack_require__) => {

__webpack_require__.r(__webpack_exports__);
/* harmony export */ __webpack_require__.d(__webpack_exports__, {
/* harmony export */   createEcsClients: () => (/* binding */ createEcsClients)
/* harmony export */ });
/* harmony import */ var _expeditor_shared_errors__WEBPACK_IMPORTED_MODULE_0__ = __webpack_require__(9680);
// The AWS clients deploy-ecs and bluegreen-switch use, created at the edge once the inputs are
// valid (the SDK modules load only then). Retries are ours, by error kind (see aws-call.ts), so
// the SDK's own are off.

async function createEcsClients(region) {
    const [{ ECSClient }, { CodeDeployClient }] = await Promise.all([__webpack_require__.e(/* import() */ 212).then(__webpack_require__.t.bind(__webpack_require__, 212, 19)), Promise.resolve(/* import() */).then(__webpack_require__.t.bind(__webpack_require__, 7507, 19))]);
    const config = { ...(region ? { region } : {}), maxAttempts: 1 };
    const ecs = new ECSClient(config);
    const codedeploy = new CodeDeployClient(config);
    let resolved;
    try {
        resolved = await ecs.config.region();
    }
    catch {
        resolved = '';
    }
    if (!resolved) {
        throw new _expeditor_shared_errors__WEBPACK_IMPORTED_MODULE_0__/* .ExpeditorError */ .DR('no AWS region is set', {
            key: 'environments.<name>.aws.region',
            unchanged: 'nothing was changed',
            next: 'run assume-env first (it exports AWS_REGION), set AWS_REGION, or give an environment whose aws.region is set',
        });
    }
    return {
        ecs,
        codedeploy,
        region: resolved,
        destroy() {
            ecs.destroy();
            codedeploy.destroy();
        },
    };
}


/***/ })

};
